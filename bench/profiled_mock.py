"""The mock under cProfile, for when py-spy cannot attach (bench/compare.py --profile).

    .venv/bin/python bench/profiled_mock.py STATS_FILE

Starts ``MockServer(Settings(port=0))`` as ``mock-efidem serve --port 0`` does
(bench/filled_mock.py's ``start_as_served``) and prints
``profiled-mock listening on http://HOST:PORT``. Each call of the WSGI application
runs under a cProfile profiler of its worker thread (cProfile sees one thread only),
timed by that thread's CPU time; on SIGTERM, or at the end of stdin, the threads'
statistics are merged and dumped to STATS_FILE (pstats format). What cProfile sees is
the application: waitress's own HTTP work, outside it, is not in these figures, and
cProfile's overhead inflates calls of small functions.
"""

from __future__ import annotations

import cProfile
import pstats
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from filled_mock import start_as_served

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ProfiledApp:
    """A WSGI application run under one profiler per thread."""

    def __init__(self, application: WsgiApp) -> None:
        self.application = application
        self.local = threading.local()
        self.profilers: list[cProfile.Profile] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        profiler = getattr(self.local, "profiler", None)
        if profiler is None:
            # CPU time of this thread: wall time would charge the wait for the GIL to
            # whatever function a thread was in when another took it.
            profiler = self.local.profiler = cProfile.Profile(time.thread_time)
            with self.lock:
                self.profilers.append(profiler)
        # The body is produced inside the call: the mock answers with a list.
        return profiler.runcall(lambda: list(self.application(environ, start_response)))

    def dump(self, path: str) -> None:
        with self.lock:
            profilers = list(self.profilers)
        if profilers:
            pstats.Stats(*profilers).dump_stats(path)


def _stop_at_end_of_input(stopped: threading.Event) -> None:
    sys.stdin.read()
    stopped.set()


def main() -> None:
    stats_file = sys.argv[1]
    server = start_as_served()
    # The started waitress server (MockServer keeps it private): wrap its application.
    waitress_server = server._server
    profiled = ProfiledApp(waitress_server.application)
    waitress_server.application = profiled
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    threading.Thread(target=_stop_at_end_of_input, args=(stopped,), daemon=True).start()
    print(f"profiled-mock listening on {server.base_url}", flush=True)
    try:
        stopped.wait(timeout=3600)
    finally:
        server.stop()
        profiled.dump(stats_file)


if __name__ == "__main__":
    main()
