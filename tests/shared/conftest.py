"""Mocks as users run them on a shared store: ``serve --workers 2 --store redis://…``
in a process group of their own (so that a test can kill -9 all of it), on a Redis of
the module's own (so that a test can stop it and start it again)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests

from mock_efidem.settings import DEFAULT_NAMESPACE
from tests.processes import LISTENING, MOCK_EFIDEM
from tests.redis_server import RedisServer

_prefixes = itertools.count(1)
STOP_SECONDS = 30


@dataclass
class Address:
    """A served mock as tests/lifecycle's helpers read a server: ``base_url``,
    ``soap_url``, ``settings.namespace``."""

    base_url: str

    @property
    def soap_url(self) -> str:
        return f"{self.base_url}/soap"

    @property
    def settings(self) -> Address:
        return self

    @property
    def namespace(self) -> str:
        return DEFAULT_NAMESPACE


@dataclass
class Served(Address):
    """One ``serve --workers N`` process group."""

    process: subprocess.Popen[str] | None = None

    def kill(self) -> None:
        """kill -9 the parent and every worker at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)

    def stop(self) -> int:
        """SIGTERM to the parent (it drains its workers); its exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode


@contextmanager
def serving(redis: RedisServer, prefix: str, *arguments: str) -> Iterator[Served]:
    options = {"port": "0", "workers": "2", "store": redis.url, "store-prefix": prefix}
    process = subprocess.Popen(
        [
            *MOCK_EFIDEM,
            "serve",
            *(word for name, value in options.items() for word in (f"--{name}", value)),
            *("--log-level", "WARNING", *arguments),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    served: Served | None = None
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        listening = LISTENING.match(first)
        assert listening is not None, f"serve announced {first!r} (exit {process.poll()})"
        served = Served(listening.group(1), process)
        yield served
    finally:
        if served is not None:
            served.stop()
        elif process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with RedisServer() as running:
        yield running


@pytest.fixture
def prefix() -> str:
    """A prefix of the test's own: its mocks see nothing of the other tests'."""
    return f"replicas-{os.getpid()}-{next(_prefixes)}"


@pytest.fixture
def mock(redis: RedisServer, prefix: str) -> Iterator[Served]:
    with serving(redis, prefix) as served:
        yield served


def fresh(method: str, url: str, **options: object) -> requests.Response:
    """One call on a connection of its own: the kernel hands it to any worker."""
    with requests.Session() as session:
        return session.request(method, url, timeout=30, **options)  # type: ignore[arg-type]
