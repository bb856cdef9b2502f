"""The lifecycle tests run on both stores: ``server`` is a mock on the memory store,
then one on Redis (tests/conftest.py's ``store_settings``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mock_efidem.server import MockServer
from mock_efidem.settings import Settings


@pytest.fixture(scope="session")
def server(store_settings: Callable[[], dict[str, Any]]) -> Iterator[MockServer]:
    with MockServer(Settings(port=0, **store_settings())) as running:
        yield running
