"""pytest plugin (registered by the ``pytest11`` entry point): one mock-efidem server per
test session (per xdist worker), reset before each test.

    def test_welcome_email(mock_efidem):
        my_app.sign_up("jean@example.fr", efidem_url=mock_efidem.soap_url)
        message = mock_efidem.wait_for_message(recipient="jean@example.fr")
        assert message["subject"] == "Bienvenue"

    @pytest.mark.mock_efidem_scenario("chaos")
    def test_retries(mock_efidem): ...
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported in the fixtures: a session that uses no mock pays nothing
    from mock_efidem.api import MockEfidem

MARKER = "mock_efidem_scenario"
DEFAULT = "default"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(scenario): run the test (or module, or class) with this mock-efidem "
        "scenario: a shipped scenario's name, a YAML file's path, or YAML text",
    )


class _Session:
    """The session's server and the scenario it has loaded."""

    def __init__(self, mock: MockEfidem) -> None:
        self.mock = mock
        self.loaded: str | Path = DEFAULT

    def prepare(self, wanted: str | Path) -> MockEfidem:
        if wanted != self.loaded:
            self.mock.load_scenario(wanted)  # loading starts the world afresh
            self.loaded = wanted
        else:
            self.mock.reset()
        return self.mock


@pytest.fixture(scope="session")
def _mock_efidem_session() -> Iterator[_Session]:
    from mock_efidem.api import MockEfidem

    with MockEfidem() as mock:
        yield _Session(mock)


@pytest.fixture(scope="session")
def mock_efidem_server(_mock_efidem_session: _Session) -> MockEfidem:
    """The session's mock, as it is (no reset): for session-wide setup."""
    return _mock_efidem_session.mock


@pytest.fixture
def mock_efidem(_mock_efidem_session: _Session, request: pytest.FixtureRequest) -> MockEfidem:
    """The session's mock, reset to the start state of the test's scenario."""
    marker = request.node.get_closest_marker(MARKER)
    wanted: str | Path = marker.args[0] if marker and marker.args else DEFAULT
    return _mock_efidem_session.prepare(wanted)
