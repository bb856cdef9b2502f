"""Why a call got its error code: the failed rule's field and value (``Culprit``), and
their wire names (``decode.wire_path``), for the journal's ``why``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mock_efidem.domain.backend import EfidemBackend
from mock_efidem.domain.models import PostalAddress, PostalName, RecipientInput
from mock_efidem.domain.validation import Culprit
from mock_efidem.soap.decode import wire_path
from mock_efidem.soap.operations import OPERATIONS

DEMO = {"user": "demo", "password": "demo", "app_id": "demo"}
OPERATION = {op.wire_name: op for op in OPERATIONS}


def culprit(operation: str, **fields: Any) -> Culprit | None:
    outcome = EfidemBackend().call(operation, {**DEMO, **fields})
    assert outcome.error is not None
    return outcome.culprit


EMAIL = {"subject": "s", "text": "t", "sender": "app@example.com"}


@pytest.mark.parametrize(
    ("operation", "fields", "path", "value"),
    [
        ("send_email", {**EMAIL, "recipient": "x@"}, ("recipient",), "x@"),
        ("send_email", {**EMAIL, "recipient": "a@b.fr", "subject": " "}, ("subject",), " "),
        ("send_email", {**EMAIL, "recipient": "a@b.fr", "password": "bad"}, ("user",), "demo"),
        (
            "send_email",
            {**EMAIL, "recipient": "a@b.fr", "text": "ok", "html": "<script>"},
            ("html",),
            "<script",
        ),
        (
            "send_multi_sms",
            {"text": "t", "recipients": (RecipientInput("0601020304"), RecipientInput("06"))},
            ("recipients", 1, "address"),
            "06",
        ),
        (
            "send_multi_email",
            {**EMAIL, "recipients": (RecipientInput("a@b.fr"), RecipientInput(" "))},
            ("recipients", 1, "address"),
            " ",
        ),
        ("send_relay_email", {**EMAIL, "to": ("a@b.fr", "nope")}, ("to", 1), "nope"),
        (
            "send_letter",
            {
                "postal_name": PostalName(last_name="Dupont", first_name="Jean"),
                "postal_address": PostalAddress(line1="1 rue", postcode="123", city="Paris"),
                "attachments": (),
            },
            ("postal_address", "postcode"),
            "123",
        ),
        ("sms_status", {"message_id": "unknown"}, ("message_id",), "unknown"),
        (
            "report",
            {
                "start": datetime(2026, 2, 1, tzinfo=UTC),
                "end": datetime(2026, 1, 1, tzinfo=UTC),
            },
            ("end",),
            "2026-01-01T00:00:00+00:00",
        ),
    ],
)
def test_the_culprit_is_the_field_and_value_that_broke_the_rule(
    operation: str, fields: dict[str, Any], path: tuple[str | int, ...], value: str
) -> None:
    assert culprit(operation, **fields) == Culprit(path, value)


@pytest.mark.parametrize(
    ("operation", "path", "wire"),
    [
        ("ENVOYER_EMAIL", ("recipient",), "DESTINATION"),
        ("MULTI_ENVOYER_SMS", ("recipients", 1, "address"), "DESTINATAIRE[2]/DESTINATION"),
        ("MULTI_ENVOYER_EMAIL", ("recipients", 0, "name"), "DESTINATION[1]/NOM_DESTINATAIRE"),
        ("ENVOYER_EMAIL_RELAIIS", ("cc", 2), "DESTINATIONS_CC[3]"),
        ("COURRIER_ENVOYER", ("postal_address", "postcode"), "Adresse_postale/CODE_POSTAL"),
        ("ENVOYER_EMAIL", ("attachments", 0, "content"), "LISTE_FICHIERS[1]/CONTENU"),
        ("ENVOYER_EMAIL", ("variables", 2), "VARIABLE3"),
        ("ENVOYER_EMAIL", ("user",), "UTILISATEUR"),
        ("RAPPORT", ("end",), "DATE_FIN"),
    ],
)
def test_a_path_reads_in_wire_names(operation: str, path: tuple[str | int, ...], wire: str) -> None:
    assert wire_path(OPERATION[operation], path) == wire
