"""Clients as users bring them: built from the served WSDL, from a copy of it in another
target namespace (Efidem's real one is not public), on the SOAP 1.1 or the SOAP 1.2 port."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
from zeep.transports import Transport

from mock_efidem.server import MockServer
from mock_efidem.settings import DEFAULT_NAMESPACE

OTHER_NAMESPACE = "http://tempuri.org/"
SERVICE = "EfidemService"
PORTS = {"1.1": "EfidemService", "1.2": "EfidemServiceSoap12"}
CLIENTS = [(namespace, version) for namespace in ("served", "tempuri") for version in PORTS]


def wsdl_in_namespace(server: MockServer, namespace: str, folder: Path) -> str:
    """The served WSDL, its target namespace replaced, saved where zeep can read it."""
    text = requests.get(f"{server.soap_url}?wsdl", timeout=10).text
    path = folder / "efidem.wsdl"
    path.write_text(text.replace(f'"{DEFAULT_NAMESPACE}"', f'"{namespace}"'), encoding="utf-8")
    return str(path)


def zeep_service(wsdl: str, soap_version: str) -> Any:
    client = zeep.Client(wsdl, transport=Transport(timeout=10))
    return client.bind(SERVICE, PORTS[soap_version])


@pytest.fixture(scope="session", params=CLIENTS, ids=lambda c: f"{c[0]}-soap{c[1]}")
def any_client(
    request: pytest.FixtureRequest, server: MockServer, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """A zeep service proxy for each of: served or another namespace x SOAP 1.1 or 1.2."""
    namespace, soap_version = request.param
    if namespace == "served":
        return zeep_service(f"{server.soap_url}?wsdl", soap_version)
    folder = tmp_path_factory.mktemp(f"wsdl-{soap_version}")
    return zeep_service(wsdl_in_namespace(server, OTHER_NAMESPACE, folder), soap_version)
