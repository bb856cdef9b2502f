"""Lifecycle of a running mock: start (ready when it returns), serve in a thread, stop.

The HTTP server is waitress, a production-grade threaded WSGI server. Measured here
(bench/throughput.py, the README's performance section), werkzeug's development
server answers about half as many calls.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import WSGITask

from mock_efidem.app import MockApplication
from mock_efidem.control.waiting import WaitingRoom
from mock_efidem.scenario.model import Scenario
from mock_efidem.settings import Settings
from mock_efidem.soap.endpoint import MAX_BODY_BYTES
from mock_efidem.traffic import SOCKET_KEY
from mock_efidem.world import World

SERVER_THREADS = 8
DRAIN_SECONDS = 30.0
FLUSH_SECONDS = 5.0

logger = logging.getLogger(__name__)

# waitress warns each time a request waits for a free thread: under a load test that is
# every call, and the queue drains by itself.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)


class _Task(WSGITask):  # type: ignore[misc]
    """Hands the application the connection's socket, so a scenario can reset it."""

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[SOCKET_KEY] = self.channel.socket
        return environ


class _Channel(HTTPChannel):  # type: ignore[misc]
    task_class = _Task


def _not_ready(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def _idle(dispatcher: Any) -> bool:
    """No call queued or running (waitress's shutdown drops queued ones)."""
    return not (dispatcher.queue or dispatcher.active_count)


def _flushed(server: Any) -> bool:
    """The loop has written every answer the workers made."""
    try:
        channels = list(server._map.values())
    except RuntimeError:  # the loop changed the map meanwhile
        return False
    return not any(getattr(c, "total_outbufs_len", 0) for c in channels)


def _close_connections(server: Any) -> None:
    """Closed from the loop's own thread, the loop ends when its map is empty.

    waitress's ``pull_trigger(thunk)`` queues the thunk, then writes to wake the loop: a
    loop already woken by a worker's last answer could run this thunk, which closes the
    trigger, before that write (EBADF, the cause of a CI failure). The loop runs thunks
    under the trigger's lock, so the write is made holding it. If the trigger is closed
    already (waitress closes it with its listening socket on an error there), the loop
    cannot be woken: the connections are closed from here."""
    trigger = server.trigger
    try:
        with trigger.lock:
            trigger.thunks.append(lambda: wasyncore.close_all(server._map))
            trigger._physical_pull()
    except OSError as error:
        logger.warning("stopping: the server's loop cannot be woken (%s); closing here", error)
        wasyncore.close_all(server._map, ignore_all=True)


class _ThreadLender:
    """Grows waitress's pool by a thread for each long poll and each event stream that
    holds one, so that they never take the workers calls need."""

    def __init__(self, dispatcher: Any) -> None:
        self._dispatcher = dispatcher
        self._lent: dict[str, int] = {}
        self._lock = threading.Lock()

    def room(self, name: str, capacity: int) -> WaitingRoom:
        return WaitingRoom(capacity, on_change=lambda seated: self._lend(name, seated))

    def _lend(self, name: str, seated: int) -> None:
        with self._lock:  # two rooms: their counts are added up in one place
            self._lent[name] = seated
            self._dispatcher.set_thread_count(SERVER_THREADS + sum(self._lent.values()))


def _wait_until(done: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.01)


class MockServer:
    """One mock instance on one port. ``with MockServer(settings) as server: ...``"""

    def __init__(self, settings: Settings | None = None, scenario: Scenario | None = None) -> None:
        self.settings = settings or Settings()
        self.world = World(self.settings, scenario)
        self.ready = threading.Event()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.settings.public_host}:{self.port}"

    @property
    def soap_url(self) -> str:
        return self.settings.soap_url(self.port)

    def start(self) -> MockServer:
        server = create_server(
            _not_ready,
            **self._listening(),
            threads=SERVER_THREADS,
            ident="mock-efidem",
            max_request_body_size=MAX_BODY_BYTES,
            # Far more connections than a test suite or a small load test opens, idle
            # ones closed after a few seconds: leaked pooled connections cannot lock
            # clients out (waitress's defaults: 100 connections, idle for 120 s). poll(),
            # since select() stops at 1,024 descriptors.
            connection_limit=self.settings.max_connections,
            channel_timeout=self.settings.idle_timeout,
            cleanup_interval=min(1.0, self.settings.idle_timeout),
            asyncore_use_poll=True,
            # The X-Forwarded-* headers shape only the WSDL's address, as the caller's
            # proxy wrote them: nothing to distrust.
            clear_untrusted_proxy_headers=False,
        )
        server.channel_class = _Channel
        self.port = int(server.effective_port)  # waitress gives a string; 0 is now a real port
        lender = _ThreadLender(server.task_dispatcher)
        server.application = MockApplication(
            self.world,
            self.settings.public_url,
            lender.room("long polls", self.settings.max_long_polls),
            lender.room("event streams", self.settings.max_event_streams),
        )
        self._server = server
        self._thread = threading.Thread(target=server.run, name="mock-efidem", daemon=True)
        self._thread.start()
        self.ready.set()
        return self

    def _listening(self) -> dict[str, Any]:
        """waitress's arguments for where to listen: a socket of this worker's own on
        the address the parent of ``--workers`` bound and handed down (SO_REUSEPORT:
        the kernel spreads connections over the workers), else host and port."""
        if self.settings.listen_fd is None:
            return {"host": self.settings.host, "port": self.settings.port}
        with socket.socket(fileno=self.settings.listen_fd) as held:
            own = socket.socket(held.family, socket.SOCK_STREAM)
            own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            own.bind(held.getsockname())
        return {"sockets": [own]}

    def stop(self) -> None:
        """Stop after answering every call already accepted, queued or running (within
        ``DRAIN_SECONDS``); long polls answer what they have at once, and event streams
        end."""
        server, self._server = self._server, None
        if server is not None:
            server.accepting = False  # new connections wait in the backlog, then close
            self.world.backend.stop_waiting()
            self.world.events.close()
            _wait_until(lambda: _idle(server.task_dispatcher), DRAIN_SECONDS)
            # Workers first: a worker that finishes a call wakes the loop through the
            # trigger, which must still be open then.
            server.task_dispatcher.shutdown(timeout=5)
            _wait_until(lambda: _flushed(server), FLUSH_SECONDS)
            _close_connections(server)
            if self._thread is not None:
                self._thread.join(timeout=5)
        self.ready.clear()

    def wait(self) -> None:
        """Block until the server stops (the CLI's main loop)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
