"""The command line starts a real server that announces itself and answers health checks."""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Iterator

import pytest
import requests

from tests.processes import run_cli, served


@pytest.fixture(name="served")
def served_with_a_public_url() -> Iterator[tuple[subprocess.Popen[str], str]]:
    with served("--public-url", "http://mock.example:9999/soap", stderr=subprocess.PIPE) as running:
        yield running


def test_serve_prints_the_address_then_answers_health(served) -> None:
    _, base_url = served
    response = requests.get(f"{base_url}/_mock/health", timeout=5)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["store"]) == ("ok", "memory")


def test_serve_announces_the_public_url_in_the_wsdl(served) -> None:
    _, base_url = served
    wsdl = requests.get(f"{base_url}/soap?WSDL", timeout=5).text
    assert 'location="http://mock.example:9999/soap"' in wsdl


def test_serve_stops_cleanly_on_sigterm(served) -> None:
    process, _ = served
    process.terminate()
    assert process.wait(timeout=10) == 0


def test_a_busy_port_is_a_clear_error() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), timeout=30)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_calls_leave_no_traceback_in_the_log(served) -> None:
    process, base_url = served
    bad_bodies = [b"garbage", b"<soap:Envelope><broken", b"<x>Envelope</x>"]
    envelope = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{}</s:Body></s:Envelope>'
    bad_bodies.append(
        envelope.format(
            '<RAPPORT xmlns="http://www.efidem.com/"><DATE_DEBUT>never</DATE_DEBUT></RAPPORT>'
        ).encode()
    )
    for body in bad_bodies:
        assert requests.post(f"{base_url}/soap", data=body, timeout=5).status_code == 500
    process.terminate()
    _, log = process.communicate(timeout=10)
    assert "Traceback" not in log


@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_a_bad_max_messages_is_a_usage_error(value: str) -> None:
    result = run_cli("serve", "--max-messages", value, timeout=30)
    assert result.returncode == 2
    assert "--max-messages" in result.stderr and "Traceback" not in result.stderr


SEND_SMS = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    '<ENVOYER_SMS xmlns="http://www.efidem.com/"><UTILISATEUR>demo</UTILISATEUR>'
    "<MOT_DE_PASSE>demo</MOT_DE_PASSE><AppID>demo</AppID>"
    "<DESTINATION>0601020304</DESTINATION><TEXTE>hi</TEXTE></ENVOYER_SMS></s:Body></s:Envelope>"
)


def test_max_messages_bounds_the_served_store() -> None:
    with served("--max-messages", "3", stderr=subprocess.PIPE) as (_, base):
        requests.post(f"{base}/_mock/clock/freeze", json={}, timeout=5).raise_for_status()
        for _ in range(3):
            requests.post(f"{base}/soap", data=SEND_SMS, timeout=5).raise_for_status()
        requests.post(f"{base}/_mock/clock/advance", json={"seconds": 60}, timeout=5)
        for _ in range(2):
            requests.post(f"{base}/soap", data=SEND_SMS, timeout=5).raise_for_status()
        assert requests.get(f"{base}/_mock/health", timeout=5).json()["messages"] == 3


def test_a_bad_log_level_is_a_usage_error() -> None:
    result = run_cli("serve", "--log-level", "verbose", timeout=30)
    assert result.returncode == 2
    assert "--log-level: must be one of DEBUG" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_serve_option_names_its_environment_variable() -> None:
    from mock_efidem.cli import build_parser

    serve = build_parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr]
    flags = [
        a.option_strings[0]
        for a in serve._actions
        if a.option_strings[0].startswith("--") and a.help != argparse.SUPPRESS
    ]
    help_text = run_cli("serve", "--help", timeout=30).stdout.replace("\n", " ")
    for flag in flags:
        if flag in ("--help", "--debug-spyne"):
            continue
        variable = "MOCK_EFIDEM_" + flag[2:].replace("-", "_").upper()
        assert variable in help_text.replace(" ", ""), flag


def test_an_environment_variable_sets_an_option_and_a_bad_one_is_a_usage_error() -> None:
    import os

    from mock_efidem.cli import build_parser

    os.environ["MOCK_EFIDEM_MAX_MESSAGES"] = "123"
    try:
        assert build_parser().parse_args(["serve"]).max_messages == 123
        assert build_parser().parse_args(["serve", "--max-messages", "7"]).max_messages == 7
    finally:
        del os.environ["MOCK_EFIDEM_MAX_MESSAGES"]
    result = run_cli("serve", timeout=30, MOCK_EFIDEM_PORT="eighty")
    assert result.returncode == 2 and "--port" in result.stderr
