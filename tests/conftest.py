"""Shared fixtures: one real mock server per test session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import zeep
from zeep.transports import Transport

from mock_efidem.server import MockServer
from mock_efidem.settings import Settings

CREDENTIALS = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}


@pytest.fixture(scope="session")
def server() -> Iterator[MockServer]:
    with MockServer(Settings(port=0)) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_state(request: pytest.FixtureRequest) -> None:
    """Every test starts from the start state, if it uses the shared server."""
    if "server" in request.fixturenames:
        request.getfixturevalue("server").world.reset()


@pytest.fixture(scope="session")
def soap_client(server: MockServer) -> zeep.Client:
    return zeep.Client(f"{server.soap_url}?wsdl", transport=Transport(timeout=10))


@pytest.fixture
def soap(soap_client: zeep.Client, server: MockServer) -> Any:
    """The zeep service proxy of the shared server, state reset."""
    return soap_client.service


@pytest.fixture
def auth() -> dict[str, str]:
    return dict(CREDENTIALS)
