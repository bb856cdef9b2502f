"""A shipped scenario's name works wherever a path does: `serve --scenario NAME`,
`check NAME`, ``load_file(NAME)``; a name that is neither a file nor shipped is refused
with the shipped names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mock_efidem.scenario.loader import ScenarioError, load_file, resolve_scenario
from tests.processes import run_cli, served

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_LIST = "(shipped: chaos, default, delivery-outcomes, parallel-ci, qa-error-codes)"


def test_a_name_resolves_to_the_shipped_scenario_unless_a_file_has_it(tmp_path: Path) -> None:
    assert resolve_scenario("chaos") == "chaos"
    assert resolve_scenario("chaos.yaml") == "chaos"
    assert resolve_scenario(ROOT / "scenarios" / "chaos.yaml") == ROOT / "scenarios" / "chaos.yaml"
    folder = tmp_path / "sub"
    assert resolve_scenario(folder / "chaos") == folder / "chaos", "a path stays a path"


def test_a_file_of_that_name_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "chaos").write_text("name: mine\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert resolve_scenario("chaos") == Path("chaos")
    assert load_file("chaos").name == "mine"


def test_load_file_takes_a_name() -> None:
    scenario = load_file("qa-error-codes")
    assert scenario.name == "qa-error-codes"
    assert len(scenario.responses) == 4


def test_an_unknown_name_lists_the_shipped_ones() -> None:
    with pytest.raises(ScenarioError) as refused:
        load_file("choas")
    ((line, column, message),) = [(p.line, p.column, p.message) for p in refused.value.problems]
    assert (line, column) == (0, 0)
    assert message == f"no file choas, nor a shipped scenario of that name {SHIPPED_LIST}"


def test_check_takes_names(tmp_path: Path) -> None:
    checked = run_cli("check", "qa-error-codes", "choas", cwd=tmp_path)

    assert checked.returncode == 1
    assert checked.stdout == "qa-error-codes: ok (scenario 'qa-error-codes')\n"
    assert (
        checked.stderr
        == f"choas: no file choas, nor a shipped scenario of that name {SHIPPED_LIST}\n"
    )


def test_serve_refuses_an_unknown_name_as_a_usage_error(tmp_path: Path) -> None:
    refused = run_cli("serve", "--port", "0", "--scenario", "choas", cwd=tmp_path)

    assert refused.returncode == 2
    assert "argument --scenario: no file choas, nor a shipped scenario" in refused.stderr
    assert SHIPPED_LIST in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.fixture
def served_by_name(tmp_path: Path) -> Iterator[str]:
    # No file of that name in tmp_path: the shipped scenario is served.
    with served("--scenario", "qa-error-codes", cwd=tmp_path) as (_, base_url):
        yield base_url


def test_serve_takes_a_name(served_by_name: str) -> None:
    scenario = requests.get(f"{served_by_name}/_mock/scenario", timeout=5).json()
    assert scenario["name"] == "qa-error-codes"
