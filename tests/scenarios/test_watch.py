"""`serve --scenario FILE --watch` reloads the file when it changes: a good edit serves
within 2 s, a broken one is logged (FILE:LINE:COLUMN, WARNING) and the scenario in
force stays. Over real HTTP, against the command line's server."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import requests

from mock_efidem.scenario.loader import ScenarioError
from mock_efidem.scenario.model import Scenario
from mock_efidem.scenario.watch import ScenarioWatcher, log_broken
from tests.processes import run_cli, served

PICKED_UP_WITHIN = 2.0
BROKEN = "name: broken\nresponses:\n  - {operation: ENVOYER_EMAL, code: -5}\n"
BROKEN_PROBLEM = (
    "3:17: responses/0/operation: unknown operation ENVOYER_EMAL; did you mean ENVOYER_EMAIL?"
)


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def edit(path: Path, text: str) -> None:
    """Write, and make sure the modification time moves even on a coarse clock."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


class Served:
    def __init__(self, base_url: str, log: IO[str], path: Path) -> None:
        self.base_url, self.log, self.path = base_url, log, path

    def name(self) -> str:
        name: str = requests.get(f"{self.base_url}/_mock/scenario", timeout=5).json()["name"]
        return name

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read()


@pytest.fixture(name="served")
def served_watching(tmp_path: Path) -> Iterator[Served]:
    path = tmp_path / "watched.yaml"
    path.write_text("name: first\n", encoding="utf-8")
    # stderr to a file: a pipe nobody reads could fill and block the server.
    with (
        (tmp_path / "log.txt").open("w+", encoding="utf-8") as log,
        served("--scenario", path, "--watch", stderr=log) as (_, base_url),
    ):
        yield Served(base_url, log, path)


def test_an_edit_is_served_within_two_seconds(served: Served) -> None:
    assert served.name() == "first"

    edit(served.path, "name: second\n")
    started = time.monotonic()

    assert wait_for(lambda: served.name() == "second", PICKED_UP_WITHIN + 1)
    assert time.monotonic() - started < PICKED_UP_WITHIN


def test_a_broken_edit_is_logged_and_the_old_scenario_stays(served: Served) -> None:
    edit(served.path, BROKEN)

    warning = f"WARNING mock_efidem.scenario.watch: {served.path}:{BROKEN_PROBLEM}"
    assert wait_for(lambda: warning in served.log_text(), PICKED_UP_WITHIN), served.log_text()
    assert served.name() == "first"
    assert "Traceback" not in served.log_text()

    edit(served.path, "name: mended\n")
    assert wait_for(lambda: served.name() == "mended", PICKED_UP_WITHIN)


@pytest.mark.parametrize(
    ("arguments", "environment"),
    [
        (["--watch"], {}),
        (["--scenario", "chaos", "--watch"], {}),
        (["--scenario", "chaos"], {"MOCK_EFIDEM_WATCH": "yes"}),
        ([], {"MOCK_EFIDEM_WATCH": "sometimes"}),
    ],
    ids=["no-scenario", "shipped-name", "env-with-shipped-name", "env-not-yes-or-no"],
)
def test_watch_without_a_file_is_a_usage_error(
    arguments: list[str], environment: dict[str, str]
) -> None:
    result = run_cli("serve", "--port", "0", *arguments, timeout=30, **environment)
    assert result.returncode == 2
    assert "--watch" in result.stderr and "Traceback" not in result.stderr


# --- the watcher alone -----------------------------------------------------------------------


class Calls:
    def __init__(self) -> None:
        self.loaded: list[Scenario] = []
        self.broken: list[ScenarioError] = []

    def watcher(self, path: Path, **more: Any) -> ScenarioWatcher:
        return ScenarioWatcher(path, self.loaded.append, self.broken.append, **more)


def test_poll_loads_only_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: one\n", encoding="utf-8")
    calls = Calls()
    watcher = calls.watcher(path)

    assert watcher.poll() is False
    edit(path, "name: two\n")
    assert watcher.poll() is True
    assert watcher.poll() is False
    assert [s.name for s in calls.loaded] == ["two"]


def test_poll_reports_a_broken_or_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: one\n", encoding="utf-8")
    calls = Calls()
    watcher = calls.watcher(path)

    edit(path, BROKEN)
    watcher.poll()
    path.unlink()
    watcher.poll()

    assert calls.loaded == []
    assert [str(p) for p in calls.broken[0].problems] == [BROKEN_PROBLEM]
    assert calls.broken[1].problems[0].message.startswith("cannot read ")


def test_the_thread_polls_until_stopped(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: one\n", encoding="utf-8")
    calls = Calls()
    watcher = calls.watcher(path, interval=0.02).start()
    try:
        edit(path, "name: two\n")
        assert wait_for(lambda: bool(calls.loaded), 2)
    finally:
        watcher.stop()
    assert [s.name for s in calls.loaded] == ["two"]


def test_log_broken_logs_each_problem_at_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: one\n", encoding="utf-8")
    watcher = ScenarioWatcher(path, Calls().loaded.append, log_broken(path))
    edit(path, BROKEN)

    with caplog.at_level(logging.WARNING, logger="mock_efidem.scenario.watch"):
        watcher.poll()

    assert caplog.messages == [
        f"{path}:{BROKEN_PROBLEM}",
        f"{path}: not reloaded; the scenario in force stays",
    ]
