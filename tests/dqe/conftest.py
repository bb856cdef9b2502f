"""DQE fixtures: the shared server's DQE URLs, and a way to swap its DQE config."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mock_efidem.dqe import DqeConfig
from mock_efidem.server import MockServer


@pytest.fixture
def lookup_url(server: MockServer) -> str:
    return f"{server.base_url}/DQEEMAILLOOKUP/"


@pytest.fixture
def suggest_url(server: MockServer) -> str:
    return f"{server.base_url}/MAILSUGGEST/"


@pytest.fixture
def use_config(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> Callable[[DqeConfig], None]:
    """Serve another DqeConfig for one test.

    The application reads ``getattr(world, "dqe_config", DEFAULT_DQE_CONFIG)`` on each
    call, so setting the attribute on the shared server's world takes effect at once;
    monkeypatch puts back what was there (or removes the attribute) after the test.
    """

    def use(config: DqeConfig) -> None:
        monkeypatch.setattr(server.world, "dqe_config", config, raising=False)

    return use
