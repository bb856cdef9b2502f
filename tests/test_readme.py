"""The README says what the code does, and its examples run.

- Its reference tables (error codes, statuses, outcomes) are the data they describe.
- Every ```python block runs against a live mock (the address 127.0.0.1:8080 swapped
  for the test server's), or, when it starts with ``# file: PATH``, is that test file.
- Every ```sh block runs in bash against the live mock and must succeed.
- ```console blocks are commands checked elsewhere, each named below.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from mock_efidem.docs import error_code_tables, outcome_table, status_table
from mock_efidem.server import MockServer

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCUMENTED_ADDRESS = "http://127.0.0.1:8080"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", flags=re.M | re.S)

CONSOLE_COMMANDS_CHECKED_BY = {
    "python3.11 -m venv": ".ci/run (the first section's commands)",
    "mock-efidem serve": "tests/test_cli.py",
    "mock-efidem check": "tests/scenarios (the check command)",
    "mock-efidem wsdl": "tests/test_wsdl.py",
    "docker ": "tests/test_packaging.py (the Dockerfile's own commands)",
    "$ mock-efidem check": "tests/scenarios (the check command)",
    "broken.yaml:": "output of the command above",
    "[--namespace": "continuation of the serve synopsis",
}


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README) if lang == language]


def first_section_commands() -> list[str]:
    first = README.split("\n## ")[1]
    return [body.strip() for lang, body in BLOCK.findall(first) if lang == "console"]


def test_the_first_section_holds_exactly_two_commands() -> None:
    serve, test = first_section_commands()
    assert serve.endswith("mock-efidem serve")
    assert test.endswith("-m pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, test = first_section_commands()
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    "table", [error_code_tables, status_table, outcome_table], ids=lambda t: t.__name__
)
def test_the_reference_tables_are_the_data(table) -> None:
    assert table() in README


def test_every_console_line_is_a_command_checked_elsewhere() -> None:
    for body in blocks("console"):
        for line in filter(None, (line.strip() for line in body.splitlines())):
            assert line.startswith(tuple(CONSOLE_COMMANDS_CHECKED_BY)), line


PYTHON_BLOCKS = blocks("python")


def test_there_are_python_examples() -> None:
    assert len(PYTHON_BLOCKS) >= 4


@pytest.mark.parametrize("source", PYTHON_BLOCKS, ids=lambda s: s.splitlines()[0][:60])
def test_python_example_runs(source: str, server: MockServer) -> None:
    first_line = source.splitlines()[0]
    if first_line.startswith("# file: "):
        path = ROOT / first_line.removeprefix("# file: ")
        assert path.read_text(encoding="utf-8") == source.split("\n", 1)[1]
        return
    code = compile(source.replace(DOCUMENTED_ADDRESS, server.base_url), "README.md", "exec")
    exec(code, {"__name__": "readme_example"})


@pytest.mark.parametrize("script", blocks("sh"), ids=lambda s: s.splitlines()[0][:60])
def test_shell_example_runs(script: str, server: MockServer) -> None:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.replace(DOCUMENTED_ADDRESS, server.base_url)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
