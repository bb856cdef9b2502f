"""Lifecycle of a running mock: start (ready when it returns), serve in a thread, stop.

The HTTP server is cheroot's threaded WSGI server: werkzeug's development server
halves the throughput here.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from cheroot.wsgi import Gateway_10
from cheroot.wsgi import Server as WsgiServer

from mock_efidem.app import MockApplication
from mock_efidem.scenario.model import Scenario
from mock_efidem.settings import Settings
from mock_efidem.traffic import SOCKET_KEY
from mock_efidem.world import World

SERVER_THREADS = 16


class _Gateway(Gateway_10):
    """Hands the application the connection's socket, so a scenario can reset it."""

    def get_environ(self) -> dict[str, Any]:  # type: ignore[override]
        environ: dict[str, Any] = super().get_environ()  # type: ignore[no-untyped-call]
        environ[SOCKET_KEY] = self.req.conn.socket
        return environ


class MockServer:
    """One mock instance on one port. ``with MockServer(settings) as server: ...``"""

    def __init__(self, settings: Settings | None = None, scenario: Scenario | None = None) -> None:
        self.settings = settings or Settings()
        self.world = World(self.settings, scenario)
        self.ready = threading.Event()
        self._server: WsgiServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.settings.host in ("0.0.0.0", "") else self.settings.host
        return f"http://{host}:{self.port}"

    @property
    def soap_url(self) -> str:
        return self.settings.soap_url(self.port)

    def start(self) -> MockServer:
        server = WsgiServer(
            (self.settings.host, self.settings.port),
            None,
            numthreads=SERVER_THREADS,
            server_name="mock-efidem",
        )
        server.gateway = _Gateway
        server.prepare()  # binds, so that port 0 becomes a real port
        self.port = server.bind_addr[1]
        server.wsgi_app = MockApplication(self.world, self.soap_url)
        self._server = server
        self._thread = threading.Thread(target=server.serve, name="mock-efidem", daemon=True)
        self._thread.start()
        self.ready.set()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.ready.clear()

    def wait(self) -> None:
        """Block until the server stops (the CLI's main loop)."""
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
