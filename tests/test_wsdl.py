"""The committed wsdl/efidem.wsdl is exactly what the server serves; the served one is an
ASMX service's (two bindings, namespace + operation soapActions) and announces the address
the client used, or --public-url."""

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
from mock_efidem.soap.operations import OPERATIONS

from .conftest import CREDENTIALS
from .soap.conftest import zeep_service
from .soap.proxy import reverse_proxy

COMMITTED = Path(__file__).resolve().parent.parent / "wsdl" / "efidem.wsdl"
REGENERATE = "mock-efidem wsdl > wsdl/efidem.wsdl"
WSDL_NS = {
    "wsdl": "http://schemas.xmlsoap.org/wsdl/",
    "soap": "http://schemas.xmlsoap.org/wsdl/soap/",
    "soap12": "http://schemas.xmlsoap.org/wsdl/soap12/",
}
ADDRESSES = "//soap:address/@location | //soap12:address/@location"


def wsdl_of(url: str, **headers: str) -> etree._Element:
    return etree.fromstring(requests.get(url, headers=headers, timeout=10).content)


def addresses(tree: etree._Element) -> list[str]:
    return [str(a) for a in tree.xpath(ADDRESSES, namespaces=WSDL_NS)]


def test_served_wsdl_equals_the_committed_copy() -> None:
    with MockServer(Settings(port=0, public_url=CANONICAL_PUBLIC_URL)) as server:
        served = requests.get(f"{server.base_url}/soap?wsdl", timeout=10).content
    assert served == COMMITTED.read_bytes(), f"out of date: run `{REGENERATE}`"


def test_the_wsdl_command_prints_the_committed_copy() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "mock_efidem", "wsdl"], capture_output=True, check=True
    ).stdout
    assert printed == COMMITTED.read_bytes()


def test_both_ports_announce_the_address_the_client_used(server: MockServer) -> None:
    assert addresses(wsdl_of(f"{server.soap_url}?wsdl")) == [server.soap_url] * 2
    other_path = f"{server.base_url}/Service.asmx"
    assert addresses(wsdl_of(f"{other_path}?WSDL")) == [other_path] * 2


def test_the_address_follows_the_host_header(server: MockServer) -> None:
    tree = wsdl_of(f"{server.soap_url}?wsdl", Host="efidem:9999")
    assert addresses(tree) == ["http://efidem:9999/soap"] * 2


def test_the_address_follows_a_proxys_forwarded_headers(server: MockServer) -> None:
    tree = wsdl_of(
        f"{server.soap_url}?wsdl",
        Host="10.0.0.5:8080",
        **{
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "api.example.com, 10.0.0.1",
            "X-Forwarded-Prefix": "/efidem/",
        },
    )
    assert addresses(tree) == ["https://api.example.com/efidem/soap"] * 2


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": 'evil"/><x y="'},
        {"X-Forwarded-Proto": "javascript"},
        {"X-Forwarded-Prefix": '"><script>'},
    ],
)
def test_hostile_headers_never_reach_the_document(
    server: MockServer, headers: dict[str, str]
) -> None:
    tree = wsdl_of(f"{server.soap_url}?wsdl", **headers)
    assert addresses(tree) == [server.soap_url] * 2


def test_public_url_wins_over_the_request() -> None:
    public = "https://efidem.test.internal/ws/Service.asmx"
    with MockServer(Settings(port=0, public_url=public)) as server:
        tree = wsdl_of(
            f"{server.base_url}/soap?wsdl",
            Host="efidem:9999",
            **{"X-Forwarded-Host": "proxy.example", "X-Forwarded-Prefix": "/p"},
        )
    assert addresses(tree) == [public] * 2


@pytest.mark.parametrize("namespace", ["http://www.efidem.com/", "urn:example:efidem/"])
def test_soap_actions_are_namespace_plus_operation_in_both_bindings(namespace: str) -> None:
    with MockServer(Settings(port=0, namespace=namespace)) as server:
        tree = wsdl_of(f"{server.soap_url}?wsdl")
    for binding, prefix in (("EfidemService", "soap"), ("EfidemServiceSoap12", "soap12")):
        operations = tree.xpath(
            f"//wsdl:binding[@name='{binding}']/wsdl:operation", namespaces=WSDL_NS
        )
        assert len(operations) == len(OPERATIONS)
        for operation in operations:
            action = operation.xpath(f"{prefix}:operation/@soapAction", namespaces=WSDL_NS)
            assert action == [namespace + operation.get("name")]


def test_the_soap12_port_and_binding(server: MockServer) -> None:
    tree = wsdl_of(f"{server.soap_url}?wsdl")
    ports = tree.xpath("//wsdl:service/wsdl:port", namespaces=WSDL_NS)
    assert [(p.get("name"), p.get("binding")) for p in ports] == [
        ("EfidemService", "tns:EfidemService"),
        ("EfidemServiceSoap12", "tns:EfidemServiceSoap12"),
    ]
    binding = tree.xpath("//wsdl:binding[@name='EfidemServiceSoap12']", namespaces=WSDL_NS)[0]
    assert binding.xpath("soap12:binding/@transport", namespaces=WSDL_NS) == [
        "http://schemas.xmlsoap.org/soap/http"
    ]
    assert not binding.xpath(".//soap:*", namespaces=WSDL_NS)


@pytest.mark.parametrize("port", ["1.1", "1.2"])
def test_a_client_behind_a_port_mapping_follows_the_wsdl_through_it(
    server: MockServer, port: str
) -> None:
    with reverse_proxy(server.base_url, forwarded_headers=False) as proxy:
        service = zeep_service(f"{proxy.url}/soap?wsdl", port)
        assert service.VERIFIER_ADRESSE_EMAIL(**CREDENTIALS, DESTINATAIRE="a@example.fr") == 0
    assert proxy.forwarded[-1] == "POST /soap"


@pytest.mark.parametrize("port", ["1.1", "1.2"])
def test_a_client_behind_a_proxy_with_a_prefix_follows_the_wsdl_through_it(
    server: MockServer, port: str
) -> None:
    with reverse_proxy(server.base_url, prefix="/efidem") as proxy:
        service = zeep_service(f"{proxy.url}/Service.asmx?wsdl", port)
        assert service.VERIFIER_ADRESSE_EMAIL(**CREDENTIALS, DESTINATAIRE="a@example.fr") == 0
    assert proxy.forwarded[-1] == "POST /efidem/Service.asmx"


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
