"""A mock of this package's own, driven as a user drives one: through ``MockEfidem``
(the Python API over HTTP), raw SOAP posts, and requests on /_mock/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from xml.sax.saxutils import escape

import pytest
import requests

from mock_efidem.api import MockEfidem

SOAP_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
EFIDEM = "http://www.efidem.com/"
DEMO = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}


@pytest.fixture(scope="module")
def mock(store_settings: Callable[[], dict[str, Any]]) -> Iterator[MockEfidem]:
    """On the memory store, then on Redis: the journal, the rules added at run time
    and the verification hold on both."""
    with MockEfidem(**store_settings()) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(mock: MockEfidem) -> None:
    mock.reset()


def envelope(operation: str, fields: dict[str, Any]) -> str:
    """A call by hand; a list value repeats the element, a dict value nests elements."""
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENVELOPE}" xmlns:e="{EFIDEM}"><soap:Body>'
        f"<e:{operation}>{_elements(fields)}</e:{operation}></soap:Body></soap:Envelope>"
    )


def _elements(fields: dict[str, Any]) -> str:
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            inner = _elements(item) if isinstance(item, dict) else escape(str(item))
            parts.append(f"<e:{name}>{inner}</e:{name}>")
    return "".join(parts)


def call(mock: MockEfidem, operation: str, **fields: Any) -> requests.Response:
    return requests.post(
        mock.soap_url,
        data=envelope(operation, {**DEMO, **fields}).encode("utf-8"),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": EFIDEM + operation},
        timeout=10,
    )


def control(mock: MockEfidem, method: str, path: str, **options: Any) -> requests.Response:
    return requests.request(method, f"{mock.base_url}/_mock{path}", timeout=10, **options)
