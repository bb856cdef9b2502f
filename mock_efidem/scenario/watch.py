"""``serve --watch``: reload the scenario file when it changes.

The file's modification time and size are polled (every half second): no inotify,
so it works the same on every system, in containers and on mounted volumes. A broken
edit is reported and the scenario in force stays, as with POST /_mock/scenario.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from mock_efidem.scenario.loader import ScenarioError, load_file
from mock_efidem.scenario.model import Scenario

POLL_SECONDS = 0.5

logger = logging.getLogger(__name__)

Stamp = tuple[int, int] | None
"""The file's (mtime in ns, size); None when it cannot be read."""


class ScenarioWatcher:
    """Calls ``on_loaded`` with each new valid version of ``path``, ``on_broken`` with
    the problems of each invalid one. ``start()`` polls in a daemon thread."""

    def __init__(
        self,
        path: Path,
        on_loaded: Callable[[Scenario], None],
        on_broken: Callable[[ScenarioError], None],
        interval: float = POLL_SECONDS,
    ) -> None:
        self.path = path
        self.on_loaded = on_loaded
        self.on_broken = on_broken
        self.interval = interval
        # Taken now: a change after this (even before the first load) is reloaded.
        self._stamp = self._current()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ScenarioWatcher:
        self._thread = threading.Thread(target=self._run, name="scenario-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def poll(self) -> bool:
        """Load the file if it changed since the last poll; whether it changed."""
        stamp = self._current()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            scenario = load_file(self.path)
        except ScenarioError as error:
            self.on_broken(error)
        else:
            self.on_loaded(scenario)
        return True

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self.poll()
            except Exception:  # a callback's bug must not end the watch silently
                logger.exception("reloading %s failed", self.path)

    def _current(self) -> Stamp:
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        return (status.st_mtime_ns, status.st_size)


def log_broken(path: Path) -> Callable[[ScenarioError], None]:
    """An ``on_broken`` that logs each problem as FILE:LINE:COLUMN at WARNING."""

    def report(error: ScenarioError) -> None:
        for problem in error.problems:
            logger.warning("%s:%s", path, problem)
        logger.warning("%s: not reloaded; the scenario in force stays", path)

    return report
