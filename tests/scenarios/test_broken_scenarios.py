"""A broken scenario is refused whole, each problem at its line and column: by `check`,
by `serve --scenario` (exit 2, no traceback) and by POST /_mock/scenario (400, and the
scenario in force keeps serving)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.processes import run_cli

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "default.yaml"
YAML = {"Content-Type": "application/yaml"}

SCHEMA_ERRORS = """\
name: schema
seed: "seven"
accounts:
  - {user: demo, password: demo, app_id: demo, colour: red}
faults:
  - {operation: STATUT_SMS, every: 0, reset: true}
"""
SCHEMA_PROBLEMS = [
    "2:7: seed: 'seven' is not of type 'integer'",
    "4:48: accounts/0: Additional properties are not allowed ('colour' was unexpected)",
    "6:36: faults/0/every: 0 is less than the minimum of 1",
]

MEANING_ERRORS = """\
name: meaning
responses:
  - operation: {regex: "(unclosed"}
    code: -5
outcomes:
  - {channel: sms, path: [delivered]}
delays:
  email: {posted: 3}
"""
MEANING_PROBLEMS = [
    "3:16: responses/0/operation: bad pattern: missing ): (unclosed",
    "6:26: outcomes/0/path: sms: accepted cannot be followed by delivered",
    "8:19: delays/email/posted: email has no status posted; known: accepted, sent, delivered, "
    "opened, clicked, soft_bounce, hard_bounce, complaint, unsubscribed",
]

YAML_ERROR = "name: yaml\naccounts: [\n  - demo\n"

UNKNOWN_KEYS = """\
name: keys
seed: 3
colour: red
accounts:
  - user: demo
    password: demo
    app_id: demo
    faxx: true
"""


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("broken")
    files = {}
    for name, text in [
        ("schema", SCHEMA_ERRORS),
        ("meaning", MEANING_ERRORS),
        ("yaml", YAML_ERROR),
        ("keys", UNKNOWN_KEYS),
    ]:
        files[name] = folder / f"{name}.yaml"
        files[name].write_text(text, encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def checked(broken) -> subprocess.CompletedProcess[str]:
    """One `check` over a good file and the broken ones."""
    return run_cli("check", DEFAULT, broken["schema"], broken["meaning"], broken["yaml"], cwd=ROOT)


def problem_lines(stderr: str, path: Path) -> list[str]:
    prefix = f"{path}:"
    return [line.removeprefix(prefix) for line in stderr.splitlines() if line.startswith(prefix)]


# --- check ---------------------------------------------------------------------------


def test_check_exits_non_zero_and_still_passes_the_good_file(checked) -> None:
    assert checked.returncode == 1
    assert checked.stdout.splitlines() == [f"{DEFAULT}: ok (scenario 'default')"]


def test_check_places_schema_errors(checked, broken) -> None:
    assert problem_lines(checked.stderr, broken["schema"]) == SCHEMA_PROBLEMS


def test_check_places_bad_patterns_paths_and_statuses(checked, broken) -> None:
    assert problem_lines(checked.stderr, broken["meaning"]) == MEANING_PROBLEMS


def test_check_places_invalid_yaml(checked, broken) -> None:
    (line,) = problem_lines(checked.stderr, broken["yaml"])
    assert line.startswith("3:3: not valid YAML: ")


def test_check_prints_only_file_line_column_lines(checked, broken) -> None:
    for line in checked.stderr.splitlines():
        assert line.startswith(tuple(f"{p}:" for p in broken.values())), line


def test_check_places_unknown_keys_on_the_key(broken) -> None:
    checked = run_cli("check", broken["keys"], cwd=ROOT)
    assert [line.split(": ")[0] for line in problem_lines(checked.stderr, broken["keys"])] == [
        "3:1",
        "8:5",
    ]


# --- serve ---------------------------------------------------------------------------------


def test_serve_refuses_a_broken_scenario_with_the_same_messages(broken) -> None:
    served = run_cli("serve", "--port", "0", "--scenario", broken["meaning"], cwd=ROOT)

    assert served.returncode == 2
    assert problem_lines(served.stderr, broken["meaning"]) == MEANING_PROBLEMS
    assert served.stderr.splitlines() == [f"{broken['meaning']}:{p}" for p in MEANING_PROBLEMS]
    assert "Traceback" not in served.stderr
    assert "listening" not in served.stdout


# --- POST /_mock/scenario --------------------------------------------------------------------


@pytest.fixture(scope="module")
def mock(launch):
    with launch("qa-error-codes.yaml") as running:
        yield running


@pytest.mark.parametrize(
    ("text", "problems"),
    [(SCHEMA_ERRORS, SCHEMA_PROBLEMS), (MEANING_ERRORS, MEANING_PROBLEMS)],
    ids=["schema", "meaning"],
)
def test_a_broken_post_gets_400_with_the_problems(mock, text: str, problems: list[str]) -> None:
    response = mock.http.post(
        f"{mock.base_url}/_mock/scenario", data=text, headers=YAML, timeout=10
    )

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid scenario; the current one stays"
    assert [f"{p['line']}:{p['column']}: {p['message']}" for p in body["problems"]] == problems


def test_a_post_of_invalid_yaml_gets_400_with_its_place(mock) -> None:
    response = mock.http.post(
        f"{mock.base_url}/_mock/scenario", data=YAML_ERROR, headers=YAML, timeout=10
    )

    assert response.status_code == 400
    ((line, column),) = [(p["line"], p["column"]) for p in response.json()["problems"]]
    assert (line, column) == (3, 3)


def test_the_old_scenario_keeps_serving_after_a_broken_post(mock, auth) -> None:
    mock.reset()
    sms = mock.soap.ENVOYER_SMS(**auth, DESTINATION="0601020304", TEXTE="before")
    assert mock.soap.STATUT_SMS(**auth, MESSAGEID="QA-5") == -5

    for text in (SCHEMA_ERRORS, MEANING_ERRORS, YAML_ERROR):
        response = mock.http.post(
            f"{mock.base_url}/_mock/scenario", data=text, headers=YAML, timeout=10
        )
        assert response.status_code == 400

    assert mock.get("/scenario")["name"] == "qa-error-codes"
    assert mock.soap.STATUT_SMS(**auth, MESSAGEID="QA-5") == -5, "the trigger still works"
    assert mock.soap.STATUT_SMS(**auth, MESSAGEID=sms) == 1, "and the state is kept"
