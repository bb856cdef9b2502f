"""Every shipped scenario loads, from the file and from the package, and passes `check`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mock_efidem.scenario.loader import load_file
from mock_efidem.world import shipped_scenario

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("chaos", "default", "delivery-outcomes", "parallel-ci", "qa-error-codes")
"""Each has a test module of its own here; a new scenario needs one too."""


def test_the_shipped_scenarios_are_the_ones_tested_here() -> None:
    assert sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml")) == list(SHIPPED)


@pytest.fixture(scope="module")
def check_output() -> subprocess.CompletedProcess[str]:
    """`mock-efidem check` over every shipped file, run once."""
    paths = [str(ROOT / "scenarios" / f"{name}.yaml") for name in SHIPPED]
    return subprocess.run(
        [sys.executable, "-m", "mock_efidem", "check", *paths],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_check_accepts_every_shipped_scenario(check_output) -> None:
    assert (check_output.returncode, check_output.stderr) == (0, "")


@pytest.mark.parametrize("name", SHIPPED)
def test_check_reports_each_shipped_scenario_ok(check_output, name: str) -> None:
    path = ROOT / "scenarios" / f"{name}.yaml"
    assert f"{path}: ok (scenario {name!r})" in check_output.stdout.splitlines()


@pytest.mark.parametrize("name", SHIPPED)
def test_the_packaged_copy_loads_like_the_file(name: str) -> None:
    from_file = load_file(ROOT / "scenarios" / f"{name}.yaml")
    packaged = shipped_scenario(f"{name}.yaml")
    assert from_file.name == packaged.name == name
    assert from_file.seed == packaged.seed
    assert [a.name for a in from_file.accounts] == [a.name for a in packaged.accounts]
    assert (len(from_file.responses), len(from_file.faults)) == (
        len(packaged.responses),
        len(packaged.faults),
    )
