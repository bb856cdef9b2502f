"""The committed wsdl/efidem.wsdl is exactly what the server serves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from lxml import etree

from mock_efidem.cli import CANONICAL_PUBLIC_URL
from mock_efidem.server import MockServer
from mock_efidem.settings import Settings

COMMITTED = Path(__file__).resolve().parent.parent / "wsdl" / "efidem.wsdl"
REGENERATE = "mock-efidem wsdl > wsdl/efidem.wsdl"
WSDL_NS = {
    "wsdl": "http://schemas.xmlsoap.org/wsdl/",
    "soap": "http://schemas.xmlsoap.org/wsdl/soap/",
}


def test_served_wsdl_equals_the_committed_copy() -> None:
    with MockServer(Settings(port=0, public_url=CANONICAL_PUBLIC_URL)) as server:
        served = requests.get(f"{server.base_url}/soap?wsdl", timeout=10).content
    assert served == COMMITTED.read_bytes(), f"out of date: run `{REGENERATE}`"


def test_the_wsdl_command_prints_the_committed_copy() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "mock_efidem", "wsdl"], capture_output=True, check=True
    ).stdout
    assert printed == COMMITTED.read_bytes()


def test_the_wsdl_announces_the_public_url(server: MockServer) -> None:
    tree = etree.fromstring(requests.get(f"{server.soap_url}?wsdl", timeout=10).content)
    assert tree.xpath("//soap:address/@location", namespaces=WSDL_NS) == [server.soap_url]


@pytest.mark.parametrize("namespace", ["http://www.efidem.com/", "urn:example:efidem"])
def test_the_target_namespace_follows_the_option(namespace: str) -> None:
    with MockServer(Settings(port=0, namespace=namespace)) as server:
        tree = etree.fromstring(requests.get(f"{server.soap_url}?wsdl", timeout=10).content)
    assert tree.get("targetNamespace") == namespace
    schema_namespaces = tree.xpath("//*[local-name()='schema']/@targetNamespace")
    assert set(schema_namespaces) == {namespace}


def test_asmx_conventions(server: MockServer) -> None:
    tree = etree.fromstring(requests.get(f"{server.soap_url}?wsdl", timeout=10).content)
    names = set(tree.xpath("//*[local-name()='schema']/*/@name"))
    assert {
        "ENVOYER_EMAIL",
        "ENVOYER_EMAILResponse",
        "ArrayOfDESTINATAIRE",
        "ArrayOfLISTE_FICHIER",
        "ArrayOfString",
        "LISTE_FICHIER",
    } <= names
    result = tree.xpath("//*[@name='ENVOYER_EMAILResponse']//*[local-name()='element']/@name")
    assert result == ["ENVOYER_EMAILResult"]
