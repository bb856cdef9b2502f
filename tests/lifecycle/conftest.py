"""The lifecycle tests run on both stores: ``server`` is a mock on the memory store,
then one on Redis (tests/conftest.py's ``server_on_each_store``)."""

from __future__ import annotations

import pytest

from mock_efidem.server import MockServer


@pytest.fixture(scope="session")
def server(server_on_each_store: MockServer) -> MockServer:
    return server_on_each_store
