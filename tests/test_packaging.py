"""The package as users install it: in a fresh virtual environment, a fresh project
that uses only the pytest fixture, and the Dockerfile's own install, start and
health-check commands (no Docker engine needed).

The fresh environment sees this environment's packages through a .pth file, and pip
runs with --no-index: the tests never reach the network.
"""

from __future__ import annotations

import os
import re
import signal
import site
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.processes import free_port

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
OFFLINE = ["--no-index", "--no-build-isolation", "--quiet"]


def dockerfile_instruction(keyword: str) -> str:
    """The text of the first instruction starting with ``keyword``, continuations joined."""
    joined = DOCKERFILE.replace("\\\n", " ")
    match = re.search(rf"^{keyword} (.+)$", joined, flags=re.M)
    assert match, f"no {keyword} in the Dockerfile"
    return match.group(1).strip()


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment where the Dockerfile's `pip install .` was run."""
    venv = tmp_path_factory.mktemp("venv")
    # Without a pip of its own (and its old bundled setuptools): this environment's
    # pip installs into it, building with this environment's setuptools.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    venv_site = next((venv / "lib").glob("python3*/site-packages"))
    (venv_site / "outer.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = dockerfile_instruction("RUN pip install")
    assert install == "."
    target = ["--python", str(venv / "bin" / "python")]
    subprocess.run(
        [sys.executable, "-m", "pip", *target, "install", *OFFLINE, install],
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    return venv


def test_the_install_has_the_command_the_scenarios_and_the_schema(fresh_venv: Path) -> None:
    result = subprocess.run(
        [
            str(fresh_venv / "bin" / "mock-efidem"),
            "check",
            *sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml")),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok") == 5


def run_pytest(venv: Path, project: Path, *options: str) -> str:
    """Run pytest in ``project`` with the fresh environment's Python; its output."""
    command = [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += options
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_fresh_project_uses_only_the_fixture(fresh_venv: Path, tmp_path: Path) -> None:
    (tmp_path / "test_signup.py").write_text(
        textwrap.dedent("""
        AUTH = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}

        def test_a_welcome_email_is_sent(mock_efidem):
            mock_efidem.client.service.ENVOYER_EMAIL(
                **AUTH, DESTINATION="jean@example.fr", SUJET="Bienvenue", TEXTE="Bonjour",
                EMETTEUR="app@example.com")
            assert [m["subject"] for m in mock_efidem.messages()] == ["Bienvenue"]

        def test_the_next_test_starts_empty(mock_efidem):
            assert mock_efidem.messages() == []
    """)
    )
    assert "2 passed" in run_pytest(fresh_venv, tmp_path)


def test_the_fixture_works_under_xdist(fresh_venv: Path, tmp_path: Path) -> None:
    """Each worker gets its own server: two workers sending at once never see each
    other's messages."""
    tests = "\n".join(
        textwrap.dedent(f"""
            def test_worker_sees_only_its_own_{n}(mock_efidem):
                mock_efidem.client.service.ENVOYER_SMS(
                    UTILISATEUR="demo", MOT_DE_PASSE="demo", AppID="demo",
                    DESTINATION="06010203{n:02d}", TEXTE="hello")
                assert len(mock_efidem.messages()) == 1
        """)
        for n in range(8)
    )
    (tmp_path / "test_parallel.py").write_text(tests)
    assert "8 passed" in run_pytest(fresh_venv, tmp_path, "-n", "2")


@contextmanager
def docker_cmd_running(fresh_venv: Path, **image_environment: str) -> Iterator[dict[str, str]]:
    """The Dockerfile's CMD, run by a shell with the image's environment."""
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("PUBLIC_URL", "SCENARIO")},
        "PATH": f"{fresh_venv / 'bin'}:{os.environ['PATH']}",
        "PORT": str(free_port()),
        **image_environment,
    }
    process = subprocess.Popen(
        ["sh", "-c", dockerfile_instruction("CMD")],
        env=environment,
        cwd="/",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("mock-efidem listening on http://127.0.0.1")
        yield environment
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


@pytest.fixture
def docker_cmd(fresh_venv: Path) -> Iterator[dict[str, str]]:
    with docker_cmd_running(
        fresh_venv,
        PUBLIC_URL="http://mock.example:8080/soap",
        SCENARIO=str(ROOT / "scenarios" / "delivery-outcomes.yaml"),
    ) as environment:
        yield environment


def test_the_docker_command_serves_with_the_public_url_and_scenario(docker_cmd) -> None:
    base = f"http://127.0.0.1:{docker_cmd['PORT']}"
    wsdl = requests.get(f"{base}/soap?wsdl", timeout=5).text
    assert 'location="http://mock.example:8080/soap"' in wsdl
    assert requests.get(f"{base}/_mock/scenario", timeout=5).json()["name"] == "delivery-outcomes"


def test_the_image_sets_no_public_url_so_the_wsdl_follows_the_callers_host(
    fresh_venv: Path,
) -> None:
    assert "PUBLIC_URL=" not in dockerfile_instruction("ENV")
    with docker_cmd_running(fresh_venv) as environment:
        base = f"http://127.0.0.1:{environment['PORT']}"
        wsdl = requests.get(f"{base}/soap?wsdl", headers={"Host": "efidem:8080"}, timeout=5).text
    assert wsdl.count('location="http://efidem:8080/soap"') == 2


def test_the_healthcheck_command_passes_against_the_started_server(docker_cmd) -> None:
    healthcheck = dockerfile_instruction("HEALTHCHECK").split(" CMD ", 1)[1]
    result = subprocess.run(["sh", "-c", healthcheck], env=docker_cmd, timeout=30)
    assert result.returncode == 0


def test_the_healthcheck_command_fails_when_nothing_serves(fresh_venv: Path) -> None:
    environment = {
        **os.environ,
        "PATH": f"{fresh_venv / 'bin'}:{os.environ['PATH']}",
        "PORT": str(free_port()),
    }
    healthcheck = dockerfile_instruction("HEALTHCHECK").split(" CMD ", 1)[1]
    result = subprocess.run(
        ["sh", "-c", healthcheck], env=environment, timeout=30, capture_output=True
    )
    assert result.returncode != 0


def test_the_image_runs_as_a_non_root_user_and_exposes_8080() -> None:
    assert dockerfile_instruction("FROM") == "python:3.11-slim"
    assert dockerfile_instruction("USER") == "mock"
    assert dockerfile_instruction("EXPOSE") == "8080"
    assert "--host 0.0.0.0" in dockerfile_instruction("CMD")
