"""PHP's SoapClient, in SOAP 1.1 and 1.2, from the served WSDL and from a copy in another
namespace, calls every operation (every_operation.php) and reads every answer."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from mock_efidem.server import MockServer
from mock_efidem.soap.operations import OPERATIONS

from ..test_readme import php_with_soap
from .conftest import CLIENTS, OTHER_NAMESPACE, wsdl_in_namespace

SCRIPT = Path(__file__).with_name("every_operation.php")
MESSAGE_ID = re.compile(r"^[0-9a-f]{32}$")
SENDS = {"ENVOYER_EMAIL", "MULTI_ENVOYER_EMAIL", "ENVOYER_EMAIL_RELAIIS", "ENVOYER_SMS"}
SENDS |= {"MULTI_ENVOYER_SMS", "COURRIER_ENVOYER", "ENVOYER_COURRIER", "ENVOYER_FAX"}
EXPECTED = {
    "STATUT_EMAIL": 1,
    "STATUT_MULTI_EMAIL": 1,
    "SUIVRE_EMAIL_RELAIIS": 1,
    "STATUT_EMAIL_RELAIIS": 1,
    "STATUT_SMS": 1,
    "STATUT_FAX": 1,
    "RAPPORT": True,
    "COMPTE_SOUMIS_CODE_FACTURATION": 0,
    "VERIFIER_ADRESSE_EMAIL": 0,
    "OBTENIR_CODE_ESMTP": "Bad destination mailbox address",
    "TRANSFORMER_NUMERO": "33601020304",
    "TRANSFORMER_NUEMRO": "33601020304",
    "AJOUTER_UTILISATEUR": 0,
    "ENLEVER_UTILISATEUR": 0,
}
CONTENT_TYPES = {"1.1": "text/xml", "1.2": "application/soap+xml"}


@pytest.mark.skipif(
    not php_with_soap(), reason="php with its soap module is not installed here; .ci/run does"
)
@pytest.mark.parametrize(("namespace", "version"), CLIENTS, ids=lambda v: str(v))
def test_php_soapclient_calls_every_operation(
    server: MockServer, tmp_path: Path, namespace: str, version: str
) -> None:
    wsdl = f"{server.soap_url}?wsdl"
    if namespace != "served":
        wsdl = wsdl_in_namespace(server, OTHER_NAMESPACE, tmp_path)
    result = subprocess.run(
        ["php", str(SCRIPT), wsdl, version], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    answers = json.loads(result.stdout)

    assert set(answers) - {"content-types"} == {op.wire_name for op in OPERATIONS}
    assert {k: answers[k] for k in EXPECTED} == EXPECTED
    assert all(MESSAGE_ID.match(answers[send]) for send in SENDS), answers
    assert answers["STATUT_COMPLET_SMS"]["CODE_STATUT"] == 1
    assert answers["COURRIER_STATUT"]["CODE_STATUT"] == 1
    assert set(answers["content-types"]) == {CONTENT_TYPES[version]}
