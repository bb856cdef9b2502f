"""MockServer.stop when waitress has closed its listening socket and its trigger itself
(as it does on an error at the listening socket): the server still stops, and the
connections it kept open are closed. (The ordinary stop is in every other test.)"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable

import pytest
import requests

from mock_efidem.server import MockServer
from mock_efidem.settings import Settings


def _until(done: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(0.01)
    return False


def test_a_server_whose_trigger_is_closed_still_stops(caplog: pytest.LogCaptureFixture) -> None:
    others = set(threading.enumerate())
    server = MockServer(Settings(port=0)).start()
    kept_alive = requests.Session()
    assert kept_alive.get(f"{server.base_url}/_mock/health", timeout=10).status_code == 200
    waitress = server._server
    # Run by the loop, as waitress would. A loop woken by the last answer's own pull may
    # run it first, closing the trigger under this pull's write.
    with contextlib.suppress(OSError):
        waitress.trigger.pull_trigger(waitress.close)
    assert _until(lambda: waitress.trigger._closed)
    (loop,) = {t for t in threading.enumerate() if t.name == "mock-efidem"} - others

    server.stop()

    assert "cannot be woken" in caplog.text
    assert _until(lambda: not loop.is_alive())
    with pytest.raises(requests.ConnectionError):
        kept_alive.get(f"{server.base_url}/_mock/health", timeout=10)
    with socket.socket() as again:  # nothing listens there any more
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", server.port))
