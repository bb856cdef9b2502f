"""Scenario fixtures: a private mock server per scenario, driven over real HTTP.

The session ``server`` of tests/conftest.py keeps the default scenario for every other
test, so nothing here loads a scenario into it: each module starts its own server
(``launch``) and resets it through POST /_mock/reset before each test.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import requests
import zeep
from zeep.transports import Transport

from mock_efidem.server import MockServer
from mock_efidem.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SOAP_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
EFIDEM_NS = "http://www.efidem.com/"
YAML = {"Content-Type": "application/yaml"}


class Mock:
    """One running mock: its zeep proxy, its /_mock/ API and raw SOAP posts."""

    def __init__(self, server: MockServer) -> None:
        self.server = server
        self.http = requests.Session()
        self._client: zeep.Client | None = None

    @property
    def soap(self) -> Any:
        if self._client is None:
            self._client = zeep.Client(
                f"{self.server.soap_url}?wsdl", transport=Transport(timeout=10)
            )
        return self._client.service

    def close(self) -> None:
        """Drop keep-alive connections: the server then stops at once, not after 0.5 s."""
        self.http.close()
        if self._client is not None:
            self._client.transport.session.close()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    # --- /_mock/ ------------------------------------------------------------------

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(f"{self.base_url}/_mock{path}", params=params, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(f"{self.base_url}/_mock{path}", json=body or {}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def reset(self, account: str | None = None) -> None:
        answer = self.post("/reset", {"account": account} if account else {})
        assert answer == {"reset": account or "all"}

    def advance(self, seconds: float) -> None:
        self.post("/clock/advance", {"seconds": seconds})

    def message(self, message_id: str) -> dict[str, Any]:
        document: dict[str, Any] = self.get(f"/messages/{message_id}")
        return document

    def load(self, text: str) -> dict[str, Any]:
        """POST a scenario; it must be accepted."""
        response = self.http.post(
            f"{self.base_url}/_mock/scenario", data=text, headers=YAML, timeout=10
        )
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        return document

    # --- raw SOAP -------------------------------------------------------------------

    def soap_post(self, operation: str, timeout: float = 10, **fields: str) -> requests.Response:
        """A SOAP call by hand, for what zeep hides: status, raw body, timing."""
        parameters = "".join(
            f"<e:{name}>{escape(value)}</e:{name}>" for name, value in fields.items()
        )
        envelope = (
            f'<soap:Envelope xmlns:soap="{SOAP_ENVELOPE}" xmlns:e="{EFIDEM_NS}"><soap:Body>'
            f"<e:{operation}>{parameters}</e:{operation}></soap:Body></soap:Envelope>"
        )
        return requests.post(
            self.server.soap_url,
            data=envelope.encode("utf-8"),
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": operation},
            timeout=timeout,
        )

    def dqe_lookup(self, **params: str) -> requests.Response:
        return requests.get(f"{self.base_url}/DQEEMAILLOOKUP/", params=params, timeout=10)


@contextmanager
def running(
    scenario: str | Path | None = None, seed: int | None = None, **settings: Any
) -> Iterator[Mock]:
    """A fresh mock on a free port: a shipped scenario by file name, or any path."""
    path = SCENARIOS / scenario if isinstance(scenario, str) else scenario
    with MockServer(Settings(port=0, scenario=path, seed=seed, **settings)) as server:
        mock = Mock(server)
        try:
            yield mock
        finally:
            mock.close()


Launcher = Callable[..., AbstractContextManager[Mock]]


@pytest.fixture(scope="session")
def launch(store_settings: Callable[[], dict[str, Any]]) -> Launcher:
    """``with launch("chaos.yaml") as mock:`` (also ``launch(path, seed=1)``), on each
    store in turn (tests/conftest.py's ``store_settings``)."""

    def on_the_store(*arguments: Any, **keywords: Any) -> AbstractContextManager[Mock]:
        return running(*arguments, **keywords, **store_settings())

    return on_the_store


@pytest.fixture(scope="session")
def timed() -> Callable[..., tuple[Any, float]]:
    """Call a function; return what it gave and how long it took, in seconds."""

    def measure(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
        started = time.perf_counter()
        result = function(*args, **kwargs)
        return result, time.perf_counter() - started

    return measure
