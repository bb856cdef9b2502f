"""scenarios/qa-error-codes.yaml: each code no input provokes, provoked through SOAP by
the scenario's trigger, and the same call without the trigger answering otherwise."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from mock_efidem.domain.rules import SCENARIO_ONLY_CODES
from mock_efidem.soap.operations import OPERATIONS

MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
NOFAX = {"UTILISATEUR": "nofax", "MOT_DE_PASSE": "nofax", "AppID": "nofax"}
PDF = {"LISTE_FICHIER": [{"NOM": "a.pdf", "CONTENU": b"%PDF-1.4"}]}
DOMAIN_OPERATION = {op.wire_name: op.operation for op in OPERATIONS}


def code(result: Any) -> int:
    """The code of an answer: an int, a string holding one, or a status object's."""
    return int(result.CODE_STATUT) if hasattr(result, "CODE_STATUT") else int(result)


@dataclass(frozen=True)
class Trigger:
    operation: str
    forced_code: int
    trigger: dict[str, Any]
    plain: dict[str, Any]
    plain_answer: Callable[[Any], bool]
    """What the call without the trigger answers instead."""
    common: dict[str, Any] = field(default_factory=dict)


def is_code(expected: int) -> Callable[[Any], bool]:
    return lambda result: code(result) == expected


def is_message_id(result: Any) -> bool:
    return isinstance(result, str) and MESSAGE_ID.fullmatch(result) is not None


TRIGGERS = [
    Trigger(
        "MULTI_ENVOYER_SMS",
        -50,
        {"TEXTE": "Promo QA-50 du jour"},
        {"TEXTE": "Promo du jour"},
        is_message_id,
        {"DESTINATAIRE": {"DESTINATAIRE": [{"DESTINATION": "0601020304"}]}},
    ),
    Trigger("STATUT_SMS", -5, {"MESSAGEID": "QA-5"}, {"MESSAGEID": "QA-6"}, is_code(-8)),
    Trigger("STATUT_COMPLET_SMS", -5, {"MESSAGEID": "QA-5"}, {"MESSAGEID": "QA-6"}, is_code(-8)),
    Trigger("STATUT_EMAIL", -5, {"MESSAGEID": "QA-5"}, {"MESSAGEID": "QA-6"}, is_code(-99)),
    Trigger(
        "STATUT_MULTI_EMAIL",
        -5,
        {"MESSAGEID": "QA-5"},
        {"MESSAGEID": "QA-6"},
        is_code(-99),
        {"REFCLIENT": "r-1"},
    ),
    Trigger(
        "VERIFIER_ADRESSE_EMAIL",
        -5,
        {"DESTINATAIRE": "qa-5@example.com"},
        {"DESTINATAIRE": "qa-6@example.com"},
        is_code(0),
    ),
    Trigger(
        "OBTENIR_CODE_ESMTP",
        -5,
        {"CODE_ESMTP": "QA-5"},
        {"CODE_ESMTP": "5.1.1"},
        lambda result: result == "Bad destination mailbox address",
    ),
]


@pytest.fixture(scope="module")
def mock(launch):
    with launch("qa-error-codes.yaml") as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(mock) -> None:
    mock.reset()


def test_every_scenario_only_code_has_a_trigger_tested_here() -> None:
    tested: dict[str, set[int]] = {}
    for trigger in TRIGGERS:
        tested.setdefault(DOMAIN_OPERATION[trigger.operation], set()).add(trigger.forced_code)
    assert tested == {operation: set(codes) for operation, codes in SCENARIO_ONLY_CODES.items()}


@pytest.mark.parametrize("case", TRIGGERS, ids=lambda case: case.operation)
def test_the_trigger_provokes_the_code(mock, auth, case: Trigger) -> None:
    result = getattr(mock.soap, case.operation)(**auth, **case.common, **case.trigger)
    assert code(result) == case.forced_code


@pytest.mark.parametrize("case", TRIGGERS, ids=lambda case: case.operation)
def test_without_the_trigger_the_call_answers_otherwise(mock, auth, case: Trigger) -> None:
    result = getattr(mock.soap, case.operation)(**auth, **case.common, **case.plain)
    assert case.plain_answer(result), result


def test_the_triggers_are_the_demo_accounts_only(mock) -> None:
    assert mock.soap.STATUT_SMS(**NOFAX, MESSAGEID="QA-5") == -8
    assert mock.soap.VERIFIER_ADRESSE_EMAIL(**NOFAX, DESTINATAIRE="qa-5@example.com") == 0


def test_the_qa_50_trigger_needs_qa_50_in_a_multi_sms_text(mock, auth) -> None:
    recipients = {"DESTINATAIRE": [{"DESTINATION": "0601020304"}]}
    assert mock.soap.MULTI_ENVOYER_SMS(**auth, DESTINATAIRE=recipients, TEXTE="QA-50") == "-50"
    assert is_message_id(
        mock.soap.MULTI_ENVOYER_SMS(**auth, DESTINATAIRE=recipients, TEXTE="QA-5O")
    )
    single = mock.soap.ENVOYER_SMS(**auth, DESTINATION="0601020304", TEXTE="QA-50")
    assert is_message_id(single), "the trigger is MULTI_ENVOYER_SMS's, not ENVOYER_SMS's"


def test_envoyer_fax_answers_minus_12_for_the_nofax_account(mock) -> None:
    assert mock.soap.ENVOYER_FAX(**NOFAX, DESTINATION="01 40 00 00 01", LISTE_FICHIERS=PDF) == "-12"


def test_envoyer_fax_sends_for_the_demo_account(mock, auth) -> None:
    result = mock.soap.ENVOYER_FAX(**auth, DESTINATION="01 40 00 00 01", LISTE_FICHIERS=PDF)
    assert is_message_id(result)


def test_the_nofax_account_may_send_everything_else(mock) -> None:
    assert is_message_id(mock.soap.ENVOYER_SMS(**NOFAX, DESTINATION="0601020304", TEXTE="t"))
