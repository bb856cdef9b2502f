"""What is not a SOAP call gets a readable SOAP 1.1 fault, and the server keeps serving.

XML that is neither SOAP 1.1 nor 1.2 is tested with SOAP 1.2, in test_soap12.py."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
from lxml import etree

from mock_efidem.server import MockServer
from mock_efidem.soap.endpoint import MAX_BODY_BYTES

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
UNKNOWN_OPERATION = (
    f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
    '<ENVOYER_PIGEON xmlns="http://www.efidem.com/"><UTILISATEUR>demo</UTILISATEUR>'
    "</ENVOYER_PIGEON></soap:Body></soap:Envelope>"
)
BAD_BODIES = {
    "malformed XML": f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><STATUT_SMS',
    "unknown operation": UNKNOWN_OPERATION,
    "1 MB of garbage": os.urandom(1024 * 1024),
    "empty body": b"",
    "bad base64 in an attachment": (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
        '<ENVOYER_EMAIL xmlns="http://www.efidem.com/"><LISTE_FICHIERS><LISTE_FICHIER>'
        "<NOM>a.pdf</NOM><CONTENU>not base64!</CONTENU></LISTE_FICHIER></LISTE_FICHIERS>"
        "</ENVOYER_EMAIL></soap:Body></soap:Envelope>"
    ),
    "a wrong value type": (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
        '<RAPPORT xmlns="http://www.efidem.com/"><DATE_DEBUT>not a date</DATE_DEBUT>'
        "</RAPPORT></soap:Body></soap:Envelope>"
    ),
}


def fault_of(response: requests.Response) -> tuple[str, str]:
    tree = etree.fromstring(response.content)
    fault = tree.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, response.text
    return fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_body_gets_a_client_fault_then_a_valid_call_succeeds(
    server: MockServer, soap: Any, auth: dict[str, str], body: str | bytes
) -> None:
    response = requests.post(
        server.soap_url, data=body, headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=10
    )

    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/xml")
    code, message = fault_of(response)
    assert code.split(":")[-1].startswith("Client")
    assert message and "Traceback" not in response.text
    assert soap.VERIFIER_ADRESSE_EMAIL(**auth, DESTINATAIRE="ok@example.fr") == 0


def test_unknown_operation_names_the_operation(server: MockServer) -> None:
    response = requests.post(server.soap_url, data=UNKNOWN_OPERATION, timeout=10)
    assert "ENVOYER_PIGEON" in fault_of(response)[1]


def test_get_without_wsdl_explains_the_endpoint(server: MockServer) -> None:
    response = requests.get(server.soap_url, timeout=10)
    assert response.status_code == 200
    assert "?wsdl" in response.text


@pytest.mark.parametrize("path", ["/soap", "/Service.asmx", "/webservice/multicanal.asmx"])
@pytest.mark.parametrize("query", ["wsdl", "WSDL", "Wsdl"])
def test_any_unreserved_path_serves_the_wsdl(server: MockServer, path: str, query: str) -> None:
    response = requests.get(f"{server.base_url}{path}?{query}", timeout=10)
    assert response.status_code == 200
    assert b"definitions" in response.content


def test_any_unreserved_path_answers_soap_calls(server: MockServer, auth: dict[str, str]) -> None:
    envelope = (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
        '<VERIFIER_ADRESSE_EMAIL xmlns="http://www.efidem.com/">'
        + "".join(f"<{k}>{v}</{k}>" for k, v in auth.items())
        + "<DESTINATAIRE>a@example.fr</DESTINATAIRE></VERIFIER_ADRESSE_EMAIL>"
        "</soap:Body></soap:Envelope>"
    )
    response = requests.post(
        f"{server.base_url}/Service.asmx",
        data=envelope,
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": '"http://www.efidem.com/X"',
        },
        timeout=10,
    )
    assert response.status_code == 200
    result = etree.fromstring(response.content).find(
        ".//{http://www.efidem.com/}VERIFIER_ADRESSE_EMAILResult"
    )
    assert result is not None and result.text == "0"


def test_a_body_over_the_limit_gets_413_and_the_server_keeps_serving(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    response = requests.post(server.soap_url, data=b"x" * (MAX_BODY_BYTES + 1), timeout=30)

    assert response.status_code == 413
    assert soap.VERIFIER_ADRESSE_EMAIL(**auth, DESTINATAIRE="ok@example.fr") == 0
