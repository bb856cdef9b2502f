"""Smoke: the ``mock-efidem serve`` command serves every SOAP operation.

The console script starts a server on a free port; a zeep client built from the WSDL
it serves makes one valid call of every wire name in OPERATIONS (aliases included):
each answer must parse, be no fault and be the success answer (no error code). The
detailed behaviour of each operation is tests/soap/test_operations.py's business.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import zeep
from zeep.transports import Transport

from mock_efidem.soap.operations import OPERATIONS
from tests.processes import served

AUTH = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}
MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
FILES = {"LISTE_FICHIER": [{"NOM": "lettre.pdf", "CONTENU": b"%PDF-1.4 smoke"}]}


@dataclass(frozen=True)
class Call:
    """A valid call: its arguments (besides AUTH) and what the success answer is.

    ``needs`` names a call to make first; its answer is the MESSAGEID of operations
    that take one: status operations ask about a message sent just before."""

    arguments: dict[str, Any]
    succeeded: Callable[[Any], bool]
    needs: str | None = None


def is_message_id(answer: Any) -> bool:
    return isinstance(answer, str) and MESSAGE_ID.fullmatch(answer) is not None


def is_a_status(answer: Any) -> bool:
    """A status code (1 accepted, 2...): error codes are negative. The status may have
    moved on since the message was sent a moment ago, on a slow machine."""
    return isinstance(answer, int) and answer >= 1


def is_a_full_status(answer: Any) -> bool:
    return is_a_status(answer.CODE_STATUT) and isinstance(answer.DATE_STATUT, datetime)


EMAIL = {"SUJET": "Smoke", "TEXTE": "Bonjour", "EMETTEUR": "app@example.com"}
LETTER = {
    "Destinataires": {"NOM": "Dupont", "PRENOM": "Jean"},
    "Adresse_postale": {
        "ADRESSE1": "3 rue de Téhéran",
        "CODE_POSTAL": "75008",
        "VILLE": "Paris",
        "PAYS": "FRANCE",
    },
    "Liste_Fichier": FILES,
    "Couleur": False,
}
RELAY_STATUS = Call({"DESTINATION": "to@example.fr"}, is_a_status, needs="ENVOYER_EMAIL_RELAIIS")
LETTER_STATUS = Call({}, is_a_full_status, needs="COURRIER_ENVOYER")
NUMBER = Call({"NUMERO": "06 01 02 03 04"}, lambda answer: answer == "33601020304")
NOW = datetime.now()

CALLS: dict[str, Call] = {
    "ENVOYER_EMAIL": Call({"DESTINATION": "jean@example.fr", **EMAIL}, is_message_id),
    "MULTI_ENVOYER_EMAIL": Call(
        {"DESTINATION": {"DESTINATAIRE": [{"DESTINATION": "a@example.fr", "REFCLIENT": "r-a"}]}}
        | EMAIL,
        is_message_id,
    ),
    "STATUT_EMAIL": Call({}, is_a_status, needs="ENVOYER_EMAIL"),
    "STATUT_MULTI_EMAIL": Call({"REFCLIENT": "r-a"}, is_a_status, needs="MULTI_ENVOYER_EMAIL"),
    "ENVOYER_EMAIL_RELAIIS": Call(
        {"DESTINATIONS_A": {"string": ["to@example.fr"]}, "OUVERTURE": False, "CLICS": False}
        | EMAIL,
        is_message_id,
    ),
    "SUIVRE_EMAIL_RELAIIS": RELAY_STATUS,
    "STATUT_EMAIL_RELAIIS": RELAY_STATUS,
    "ENVOYER_SMS": Call({"DESTINATION": "0601020304", "TEXTE": "Code 1234"}, is_message_id),
    "MULTI_ENVOYER_SMS": Call(
        {"DESTINATAIRE": {"DESTINATAIRE": [{"DESTINATION": "0601020304"}]}, "TEXTE": "Promo"},
        is_message_id,
    ),
    "STATUT_SMS": Call({}, is_a_status, needs="ENVOYER_SMS"),
    "STATUT_COMPLET_SMS": Call({}, is_a_full_status, needs="ENVOYER_SMS"),
    "COURRIER_ENVOYER": Call(LETTER, is_message_id),
    "ENVOYER_COURRIER": Call(LETTER, is_message_id),
    "COURRIER_STATUT": LETTER_STATUS,
    "COURRIER_SUIVRE": LETTER_STATUS,
    "ENVOYER_FAX": Call({"DESTINATION": "01 40 00 00 01", "LISTE_FICHIERS": FILES}, is_message_id),
    "STATUT_FAX": Call({}, is_a_status, needs="ENVOYER_FAX"),
    "RAPPORT": Call(
        {"DATE_DEBUT": NOW - timedelta(days=1), "DATE_FIN": NOW + timedelta(days=1)},
        lambda answer: isinstance(answer, bytes) and b"MESSAGEID" in answer,
    ),
    "COMPTE_SOUMIS_CODE_FACTURATION": Call(
        {"CODE_FACTURATION": "SMOKE"}, lambda answer: isinstance(answer, int) and answer >= 0
    ),
    "VERIFIER_ADRESSE_EMAIL": Call({"DESTINATAIRE": "jean@example.fr"}, lambda a: a == 0),
    "OBTENIR_CODE_ESMTP": Call(
        {"CODE_ESMTP": "5.1.1"}, lambda answer: answer == "Bad destination mailbox address"
    ),
    "TRANSFORMER_NUMERO": NUMBER,
    "TRANSFORMER_NUEMRO": NUMBER,
    "AJOUTER_UTILISATEUR": Call(
        {"NOM_UTILISATEUR": "smoke", "MOT_DE_PASSE_UTILISATEUR": "s3cret"}, lambda a: a == 0
    ),
    "ENLEVER_UTILISATEUR": Call(
        {"NOM_UTILISATEUR": "smoke"}, lambda answer: answer == 0, needs="AJOUTER_UTILISATEUR"
    ),
}
WIRE_NAMES = [operation.wire_name for operation in OPERATIONS]
TAKES_A_MESSAGE_ID = {
    operation.wire_name
    for operation in OPERATIONS
    if any(param.wire == "MESSAGEID" for param in operation.params)
}


@pytest.fixture(scope="module", name="served")
def served_by_the_console_script(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``mock-efidem serve --port 0`` (this interpreter's console script): its address.

    Afterwards, the server must stop on SIGTERM with status 0 and no traceback logged."""
    log_path = tmp_path_factory.mktemp("serve") / "stderr.log"
    console_script = str(Path(sys.executable).parent / "mock-efidem")
    with log_path.open("w") as log, served(stderr=log, program=[console_script]) as (process, url):
        yield url
    log_text = log_path.read_text()
    assert process.returncode == 0, log_text
    assert "Traceback" not in log_text, log_text


@pytest.fixture(scope="module")
def soap(served: str) -> Any:
    return zeep.Client(f"{served}/soap?wsdl", transport=Transport(timeout=10)).service


def call(soap: Any, wire_name: str) -> Any:
    """Make ``wire_name``'s valid call (and the call it needs first); its answer."""
    planned = CALLS[wire_name]
    arguments = {**AUTH, **planned.arguments}
    if planned.needs is not None:
        earlier = call(soap, planned.needs)
        if wire_name in TAKES_A_MESSAGE_ID:
            arguments["MESSAGEID"] = earlier
    return getattr(soap, wire_name)(**arguments)


def test_every_operation_has_a_smoke_call() -> None:
    assert sorted(CALLS) == sorted(WIRE_NAMES)


@pytest.mark.parametrize("wire_name", WIRE_NAMES)
def test_the_operation_answers_its_success_answer(soap: Any, wire_name: str) -> None:
    answer = call(soap, wire_name)  # a fault would raise zeep.exceptions.Fault

    assert CALLS[wire_name].succeeded(answer), f"{wire_name} answered {answer!r}"
