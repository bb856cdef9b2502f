"""SOAP 1.2, any namespace, and envelopes that are neither: what a client sees on the wire."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import zeep.exceptions
from lxml import etree

from mock_efidem.scenario.loader import load_text
from mock_efidem.server import MockServer
from mock_efidem.settings import DEFAULT_NAMESPACE, Settings

from .conftest import zeep_service

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP12_TYPE = "application/soap+xml; charset=utf-8"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
AUTH = "<UTILISATEUR>demo</UTILISATEUR><MOT_DE_PASSE>demo</MOT_DE_PASSE><AppID>demo</AppID>"


def envelope(soap_ns: str, call: str) -> str:
    return f'<s:Envelope xmlns:s="{soap_ns}"><s:Body>{call}</s:Body></s:Envelope>'


def verify_call(namespace: str | None, children: str = AUTH) -> str:
    xmlns = f' xmlns="{namespace}"' if namespace is not None else ""
    return (
        f"<VERIFIER_ADRESSE_EMAIL{xmlns}>{children}"
        "<DESTINATAIRE>a@example.fr</DESTINATAIRE></VERIFIER_ADRESSE_EMAIL>"
    )


def post(server: MockServer, body: str, content_type: str = "text/xml; charset=utf-8") -> Any:
    return requests.post(
        server.soap_url, data=body.encode(), headers={"Content-Type": content_type}, timeout=10
    )


def result_element(response: requests.Response, soap_ns: str) -> Any:
    body = etree.fromstring(response.content).find(f"{{{soap_ns}}}Body")
    assert body is not None, response.text
    return body[0]


@pytest.mark.parametrize(
    "namespace", ["http://tempuri.org/", "urn:efidem:multicanal", DEFAULT_NAMESPACE, None]
)
@pytest.mark.parametrize(("soap_ns", "content_type"), [(SOAP11, "text/xml"), (SOAP12, SOAP12_TYPE)])
def test_the_answer_is_in_the_callers_namespace_and_soap_version(
    server: MockServer, namespace: str | None, soap_ns: str, content_type: str
) -> None:
    response = post(server, envelope(soap_ns, verify_call(namespace)), content_type)

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(content_type.split(";")[0])
    answer = result_element(response, soap_ns)
    prefix = f"{{{namespace}}}" if namespace else ""
    assert answer.tag == f"{prefix}VERIFIER_ADRESSE_EMAILResponse"
    assert answer.findtext(f"{prefix}VERIFIER_ADRESSE_EMAILResult") == "0"


def test_unqualified_children_and_the_annex_tables_applid_are_read(server: MockServer) -> None:
    children = AUTH.replace("AppID>", "ApplID>")
    response = post(server, envelope(SOAP11, verify_call("http://tempuri.org/", children)))
    answer = result_element(response, SOAP11)
    assert answer.findtext("{http://tempuri.org/}VERIFIER_ADRESSE_EMAILResult") == "0"


def test_a_business_error_is_a_normal_answer_in_soap12(server: MockServer) -> None:
    call = verify_call("http://tempuri.org/", AUTH.replace(">demo</MOT", ">wrong</MOT"))
    response = post(server, envelope(SOAP12, call), SOAP12_TYPE)
    assert response.status_code == 200
    assert result_element(response, SOAP12)[0].text == "-6"


def soap12_fault(response: requests.Response) -> tuple[str, str]:
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    fault = result_element(response, SOAP12)
    assert fault.tag == f"{{{SOAP12}}}Fault"
    text = fault.find(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text")
    assert text is not None and text.get(XML_LANG) == "en"
    assert fault.find(f"{{{SOAP12}}}faultcode") is None and fault.find("faultcode") is None
    return fault.findtext(f"{{{SOAP12}}}Code/{{{SOAP12}}}Value") or "", text.text or ""


def test_an_unknown_operation_is_a_soap12_sender_fault_in_the_callers_namespace(
    server: MockServer,
) -> None:
    call = "<ENVOYER_PIGEON xmlns='http://tempuri.org/'><UTILISATEUR>demo</UTILISATEUR></ENVOYER_PIGEON>"
    code, reason = soap12_fault(post(server, envelope(SOAP12, call), SOAP12_TYPE))
    assert code == "soap:Sender"
    assert "{http://tempuri.org/}ENVOYER_PIGEON" in reason


def test_malformed_soap12_is_a_soap12_sender_fault(server: MockServer) -> None:
    code, reason = soap12_fault(post(server, f'<s:Envelope xmlns:s="{SOAP12}"><s:Bo', SOAP12_TYPE))
    assert code == "soap:Sender"
    assert "well-formed" in reason


FAULTS = """
faults:
  - {operation: VERIFIER_ADRESSE_EMAIL, soap_fault: {code: Server, message: the scenario says no}}
  - {operation: STATUT_SMS, soap_fault: {code: Client, message: bad call}}
"""


@pytest.fixture(scope="module")
def faulty() -> Iterator[MockServer]:
    """A server of its own: the session's keeps the default scenario."""
    with MockServer(Settings(port=0), load_text(FAULTS)) as running:
        yield running


def test_a_scenario_forced_fault_answers_in_soap12(faulty: MockServer) -> None:
    call = envelope(SOAP12, verify_call("http://tempuri.org/"))
    code, reason = soap12_fault(post(faulty, call, SOAP12_TYPE))
    assert (code, reason) == ("soap:Receiver", "the scenario says no")


def test_zeep_on_the_soap12_port_reads_a_fault_as_a_fault(faulty: MockServer) -> None:
    service = zeep_service(f"{faulty.soap_url}?wsdl", "1.2")
    with pytest.raises(zeep.exceptions.Fault) as raised:
        service.STATUT_SMS(UTILISATEUR="demo", MOT_DE_PASSE="demo", AppID="demo", MESSAGEID="x")
    assert raised.value.message == "bad call"


NEITHER = {
    "Envelope in no namespace": "<Envelope><Body/></Envelope>",
    "Envelope in another namespace": "<e:Envelope xmlns:e='urn:soap:9'><e:Body/></e:Envelope>",
    "not an Envelope": "<ENVOYER_EMAIL xmlns='http://www.efidem.com/'/>",
}


@pytest.mark.parametrize("body", NEITHER.values(), ids=NEITHER.keys())
def test_neither_soap11_nor_soap12_is_a_version_mismatch_naming_both(
    server: MockServer, body: str
) -> None:
    code, reason = soap12_fault(post(server, body, SOAP12_TYPE))
    assert code == "soap:VersionMismatch"
    assert SOAP11 in reason and SOAP12 in reason

    response = post(server, body)
    assert response.status_code == 500
    fault = result_element(response, SOAP11)
    assert fault.findtext("faultcode") == "soap:VersionMismatch"
    assert SOAP11 in (fault.findtext("faultstring") or "")
