"""A real Redis for the tests: Debian's ``redis-server`` on a free loopback port, in a
directory of its own, started and stopped by the test (never a system service, never a
fixed port). It can be stopped and started again on the same port and data, for the
outage tests. Off CI a machine without redis-server skips; on CI it fails."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import pytest

from tests.processes import free_port

START_SECONDS = 10.0


def require_redis_server() -> str:
    found = shutil.which("redis-server")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's redis-server (.ci/run)")
        pytest.skip("Debian's redis-server is not installed")
    return found


class RedisServer:
    """``with RedisServer() as redis: redis.url``; ``stop()``/``start()`` keep the data
    (an append-only file, flushed at every write)."""

    def __init__(self) -> None:
        self.binary = require_redis_server()
        self._directory = tempfile.TemporaryDirectory(prefix="mock-efidem-redis-")
        self.directory = Path(self._directory.name)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        for _ in range(5):
            self.process = subprocess.Popen(
                [self.binary, *self._options()],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._answers():
                return self
            self.process.kill()
            self.process.wait()
            self.port = free_port()  # taken meanwhile by someone else: another one
        raise RuntimeError("redis-server did not start")

    def _options(self) -> list[str]:
        options = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "dir": str(self.directory),
            "save": "",
            "appendonly": "yes",
            "appendfsync": "always",
            "daemonize": "no",
            "loglevel": "warning",
        }
        return [word for name, value in options.items() for word in (f"--{name}", value)]

    def _answers(self) -> bool:
        deadline = time.monotonic() + START_SECONDS
        assert self.process is not None
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as peer:
                    peer.sendall(b"PING\r\n")
                    if peer.recv(16).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): the append-only file keeps every write."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def flush(self) -> None:
        """Forget everything (between tests that share this server)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as peer:
            peer.sendall(b"FLUSHALL\r\n")
            assert peer.recv(16).startswith(b"+OK")

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
        self._directory.cleanup()
