"""The server's log as people and collectors read it: one access line per call at INFO,
JSON with --log-format json, and bad log options as usage errors."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable

import pytest
import requests

from tests.processes import run_cli, served

BAD_ADDRESS = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    '<ENVOYER_EMAIL xmlns="http://www.efidem.com/"><UTILISATEUR>demo</UTILISATEUR>'
    "<MOT_DE_PASSE>demo</MOT_DE_PASSE><AppID>demo</AppID>"
    "<DESTINATION>jean.dupont@</DESTINATION><SUJET>s</SUJET><TEXTE>t</TEXTE>"
    "<EMETTEUR>app@example.com</EMETTEUR></ENVOYER_EMAIL></s:Body></s:Envelope>"
)


def log_of(calls: Callable[[str], None], *options: str) -> str:
    """What a served mock writes on stderr while ``calls`` runs against its base URL
    (to a file: a pipe nobody reads would fill and block the server)."""
    with tempfile.TemporaryFile("w+") as log:
        with served(*options, stderr=log) as (process, base):
            calls(base)
        assert process.returncode == 0
        log.seek(0)
        return log.read()


def a_few_calls(base: str) -> None:
    requests.post(f"{base}/soap", data=BAD_ADDRESS, timeout=10).raise_for_status()
    requests.get(f"{base}/DQEEMAILLOOKUP/", params={"Email": "a@b.fr"}, timeout=10)
    requests.get(f"{base}/_mock/messages", params={"limit": "1"}, timeout=10)
    requests.get(f"{base}/_mock/health", timeout=10)


def test_each_call_is_one_access_line_at_info() -> None:
    lines = log_of(a_few_calls).splitlines()
    access = [line for line in lines if " INFO mock_efidem.access: " in line]
    assert len(access) == 3, lines  # the health check is not logged at INFO
    soap, dqe, control = (line.split(": ", 1)[1] for line in access)
    assert re.fullmatch(
        r"127\.0\.0\.1 soap ENVOYER_EMAIL demo -> -9 "
        r"\(DESTINATION recipient address malformed\) [0-9.]+ ms",
        soap,
    )
    assert re.fullmatch(r"127\.0\.0\.1 dqe DQEEMAILLOOKUP -> LICENCE KO [0-9.]+ ms", dqe)
    assert re.fullmatch(r"127\.0\.0\.1 control messages -> 200 [0-9.]+ ms", control)
    assert "MOT_DE_PASSE" not in "\n".join(lines)


def test_the_json_form_is_one_object_a_line() -> None:
    lines = log_of(a_few_calls, "--log-format", "json").splitlines()
    documents = [json.loads(line) for line in lines]  # every line parses
    access = [d for d in documents if d["logger"] == "mock_efidem.access"]
    soap = access[0]
    assert (soap["level"], soap["protocol"], soap["operation"]) == ("INFO", "soap", "ENVOYER_EMAIL")
    assert (soap["account"], soap["result"], soap["http_status"]) == ("demo", "-9", 200)
    assert soap["why"]["field"] == "DESTINATION" and soap["duration_ms"] >= 0
    assert soap["message"].startswith("127.0.0.1 soap ENVOYER_EMAIL demo -> -9")
    assert "MOT_DE_PASSE" not in "\n".join(lines)  # request fields stay in the journal


def test_spyne_stays_quiet_at_debug_unless_asked() -> None:
    assert " DEBUG spyne" not in log_of(a_few_calls, "--log-level", "debug")
    assert " DEBUG spyne" in log_of(a_few_calls, "--log-level", "debug", "--debug-spyne")


def test_warning_keeps_the_calls_out_of_the_log() -> None:
    assert "mock_efidem.access" not in log_of(a_few_calls, "--log-level", "warning")


@pytest.mark.parametrize(
    ("arguments", "environment", "says"),
    [
        (["--log-level", "verbose"], {}, "--log-level: must be one of DEBUG"),
        (["--log-format", "yaml"], {}, "--log-format: must be text or json"),
        ([], {"MOCK_EFIDEM_LOG_FORMAT": "xml"}, "--log-format: must be text or json"),
        (["--journal-bytes", "lots"], {}, "--journal-bytes: must be a size"),
        ([], {"MOCK_EFIDEM_JOURNAL_SIZE": "0"}, "--journal-size: must be a whole number"),
        (["--debug-spyne", "maybe"], {}, "--debug-spyne: must be yes or no"),
    ],
)
def test_a_bad_log_or_journal_option_is_a_usage_error(
    arguments: list[str], environment: dict[str, str], says: str
) -> None:
    result = run_cli("serve", *arguments, **environment)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_sizes_read_with_units() -> None:
    from mock_efidem.cli import build_parser

    parsed = build_parser().parse_args(["serve", "--journal-bytes", "8MiB"])
    assert (parsed.journal_bytes, parsed.journal_body_limit) == (8 * 2**20, 64 * 2**10)
    parsed = build_parser().parse_args(["serve", "--journal-body-limit", "2048"])
    assert parsed.journal_body_limit == 2048
