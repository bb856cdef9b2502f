"""Shared fixtures: one real mock server per test session, reset before each test; a
real Redis for the tests that run on both stores (``store_settings``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import zeep
from zeep.transports import Transport

from mock_efidem.server import MockServer
from mock_efidem.settings import Settings
from tests.redis_server import RedisServer

CREDENTIALS = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}


@pytest.fixture(scope="session")
def server() -> Iterator[MockServer]:
    with MockServer(Settings(port=0)) as running:
        yield running


STORES = ("memory", "redis")
_prefixes = itertools.count(1)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One Redis for the session (skipped off CI where redis-server is missing)."""
    with RedisServer() as running:
        yield running


@pytest.fixture(scope="session", params=STORES)
def store_settings(request: pytest.FixtureRequest) -> Callable[[], dict[str, Any]]:
    """Settings keywords for each store in turn: a test (or a directory's ``server``)
    that uses it runs on the memory store, then on Redis. Each call gives a new prefix:
    mocks started from it share the Redis without seeing each other."""
    if request.param == "memory":
        return dict
    url = request.getfixturevalue("redis_server").url

    def redis_settings() -> dict[str, Any]:
        return {"store": url, "store_prefix": f"test-{next(_prefixes)}"}

    return redis_settings


@pytest.fixture(scope="session")
def server_on_each_store(
    store_settings: Callable[[], dict[str, Any]],
) -> Iterator[MockServer]:
    """A mock on the memory store, then one on Redis: a directory whose tests must hold
    on both makes it its ``server`` (tests/lifecycle, tests/inbox_api)."""
    with MockServer(Settings(port=0, **store_settings())) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_state(request: pytest.FixtureRequest) -> None:
    """Every test starts from the start state, if it uses the shared server."""
    if "server" in request.fixturenames:
        request.getfixturevalue("server").world.reset()


_soap_clients: dict[str, zeep.Client] = {}


@pytest.fixture
def soap_client(server: MockServer) -> zeep.Client:
    """The zeep client of the test's ``server``, made once per server: a directory may
    give its tests a ``server`` of its own (a session-scoped client would keep the
    first one's)."""
    url = f"{server.soap_url}?wsdl"
    if url not in _soap_clients:
        _soap_clients[url] = zeep.Client(url, transport=Transport(timeout=10))
    return _soap_clients[url]


@pytest.fixture
def soap(soap_client: zeep.Client, server: MockServer) -> Any:
    """The zeep service proxy of the shared server, state reset."""
    return soap_client.service


@pytest.fixture
def auth() -> dict[str, str]:
    return dict(CREDENTIALS)
