"""The benchmarks the README cites start and know their options. They are run by hand
(never timed in tests); this keeps their command lines from rotting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.parametrize(
    "script",
    [
        "compare.py",
        "startup.py",
        "throughput.py",
        "journal_memory.py",
        "inbox_page.py",
        "stores.py",
    ],
)
def test_a_benchmark_answers_help(script: str) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:")


def test_compare_offers_the_options_the_readme_names() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / "compare.py"), "--help"], capture_output=True, text=True
    )
    assert "--quick" in result.stdout and "--profile" in result.stdout


def test_stores_offers_its_options() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / "stores.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "--workers" in result.stdout and "--no-profile" in result.stdout


def test_the_screenshot_script_answers_help() -> None:
    script = BENCH.parent / "tools" / "screenshots.py"
    result = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "docs/inbox.png" in result.stdout.replace("\n", " ") or "--out" in result.stdout
