"""The README says what the code does, and its examples run.

- Its reference tables (error codes, statuses, outcomes) are the data they describe.
- Every ```python block runs against a live mock (the address 127.0.0.1:8080 swapped
  for the test server's), or, when it starts with ``# file: PATH``, is that test file.
- Every ```sh block runs in bash against the live mock and must succeed.
- ```php and ```js blocks run with PHP's SoapClient and Node's soap package, which
  .ci/run installs (elsewhere they are skipped, saying why).
- ```console blocks are commands checked elsewhere, each named below; the ```json
  blocks are DQE's answers and the ```yaml block a scenario: both checked below. A
  ```yaml block starting with ``# file: PATH`` is that file (the compose example).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

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
    "pip install ": "tests/test_packaging.py (installs the package into a fresh environment)",
    ".venv/bin/python bench/": "the benchmarks, run by hand; tests/test_bench.py checks they start",
    "$ mock-efidem check": "tests/scenarios (the check command)",
    "broken.yaml:": "output of the command above",
    "[--namespace": "continuation of the serve synopsis",
    "[--max-messages": "continuation of the serve synopsis",
    "[--admin-token": "continuation of the serve synopsis",
    "[--journal-size": "continuation of the serve synopsis",
    "[--log-level": "continuation of the serve synopsis",
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


NODE_PROJECT = ROOT / "tests" / "examples" / "node"


def php_with_soap() -> bool:
    if shutil.which("php") is None:
        return False
    modules = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout
    return "soap" in modules.split()


@pytest.mark.skipif(
    not php_with_soap(),
    reason="php with its soap module is not installed here; .ci/run installs it",
)
@pytest.mark.parametrize("script", blocks("php"), ids=lambda s: "php")
def test_php_example_runs(script: str, server: MockServer, tmp_path: Path) -> None:
    example = tmp_path / "example.php"
    example.write_text(script.replace(DOCUMENTED_ADDRESS, server.base_url), encoding="utf-8")
    result = subprocess.run(["php", str(example)], capture_output=True, text=True, timeout=60)
    # Each example checks what it was answered and exits non-zero if it was wrong.
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SOAP-ERROR" not in result.stdout  # PHP's own encoding errors


@pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_PROJECT / "node_modules" / "soap").is_dir(),
    reason="node and the soap package are not installed here; .ci/run installs them",
)
@pytest.mark.parametrize("script", blocks("js"), ids=lambda s: "node")
def test_node_example_runs(script: str, server: MockServer) -> None:
    # ES modules resolve packages from their own folder: the example runs beside node_modules.
    example = NODE_PROJECT / f"readme-example-{os.getpid()}.mjs"
    example.write_text(script.replace(DOCUMENTED_ADDRESS, server.base_url), encoding="utf-8")
    try:
        result = subprocess.run(["node", str(example)], capture_output=True, text=True, timeout=60)
    finally:
        example.unlink()
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_example_language_is_run() -> None:
    languages = {language for language, _ in BLOCK.findall(README)}
    run_or_checked = {"python", "sh", "php", "js", "console", "json", "yaml", "text"}
    assert languages <= run_or_checked, languages - run_or_checked


def test_the_scenario_example_is_a_valid_scenario() -> None:
    from mock_efidem.scenario.loader import load_text

    (example,) = [block for block in blocks("yaml") if not block.startswith("# file: ")]
    assert load_text(example).name == "my-scenario"


FILE_BLOCKS = [block for block in blocks("yaml") if block.startswith("# file: ")]


@pytest.mark.parametrize("block", FILE_BLOCKS, ids=lambda b: b.splitlines()[0])
def test_a_yaml_file_example_is_that_file(block: str) -> None:
    first_line, content = block.split("\n", 1)
    assert (ROOT / first_line.removeprefix("# file: ")).read_text(encoding="utf-8") == content


def test_the_dqe_json_examples_are_what_dqe_answers(server: MockServer) -> None:
    lookup, suggest = (json.loads(body) for body in blocks("json") if '"why"' not in body)
    answered_lookup = requests.get(
        f"{server.base_url}/DQEEMAILLOOKUP/",
        params={"Email": "jean@gmail.com", "Licence": "DQE-DEMO-L2"},
        timeout=10,
    ).json()
    answered_suggest = requests.get(
        f"{server.base_url}/MAILSUGGEST/",
        params={"Prenom": "Hélène", "Nom": "Lefèvre", "Licence": "DQE-DEMO-L1"},
        timeout=10,
    ).json()
    assert (answered_lookup, answered_suggest) == (lookup, suggest)


# --- the journal's and the log's examples -------------------------------------------


def _text_block(starting: str) -> str:
    (found,) = [body for body in blocks("text") if body.startswith(starting)]
    return found


def test_every_text_block_is_checked() -> None:
    starts = ("expected ENVOYER_SMS", "2026-12-02 10:00:01,482 INFO")
    assert all(body.startswith(starts) for body in blocks("text"))


def test_the_near_miss_example_is_what_assert_called_says(server: MockServer) -> None:
    from mock_efidem.api import MockEfidem

    mock = MockEfidem.connect(server.base_url)
    auth = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}
    service = mock.client.service
    message_id = service.ENVOYER_SMS(**auth, DESTINATION="06 01 02 03 05", TEXTE="Code")
    service.STATUT_SMS(**auth, MESSAGEID=message_id)
    with pytest.raises(AssertionError) as failed:
        mock.assert_called("ENVOYER_SMS", DESTINATION="06 01 02 03 04")

    def plain(text: str) -> str:  # entry ids and times differ from run to run
        return re.sub(r"#\d+ \S+ ", "#N TIME ", text.strip())

    assert plain(str(failed.value)) == plain(_text_block("expected ENVOYER_SMS"))


def test_the_access_log_example_is_what_the_server_logs() -> None:
    from tests.test_logs import a_few_calls, log_of

    def plain(line: str) -> str:  # times, addresses and durations differ
        line = re.sub(r"^\S+ \S+ ", "TIME ", line)
        return re.sub(r": \S+ (.*) [0-9.]+ ms$", r": ADDRESS \1 N ms", line)

    logged = [plain(line) for line in log_of(a_few_calls).splitlines() if "access:" in line]
    shown = [plain(line) for line in _text_block("2026-12-02 10:00:01,482 INFO").splitlines()]
    assert logged == shown


def test_the_journal_entry_example_is_what_the_journal_holds(server: MockServer) -> None:
    (shown,) = [json.loads(body) for body in blocks("json") if '"why"' in body]
    recipients = "".join(
        f"<DESTINATAIRE><DESTINATION>{n}</DESTINATION></DESTINATAIRE>"
        for n in shown["fields"]["DESTINATION"]
    )
    call = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        '<MULTI_ENVOYER_SMS xmlns="http://www.efidem.com/"><UTILISATEUR>demo</UTILISATEUR>'
        "<MOT_DE_PASSE>demo</MOT_DE_PASSE><AppID>demo</AppID>"
        f"<DESTINATAIRE>{recipients}</DESTINATAIRE><TEXTE>Code</TEXTE>"
        "</MULTI_ENVOYER_SMS></soap:Body></soap:Envelope>"
    )
    requests.post(f"{server.base_url}/soap", data=call, timeout=10).raise_for_status()
    found = requests.get(f"{server.base_url}/_mock/journal", timeout=10).json()["entries"]
    (entry,) = found
    assert entry.keys() == shown.keys()
    assert entry["request"].keys() == shown["request"].keys()
    assert entry["response"].keys() == shown["response"].keys()
    same = ("protocol", "operation", "account", "http_status", "result", "why", "message_ids")
    assert {k: entry[k] for k in same} == {k: shown[k] for k in same}
