"""A message read back from Redis's JSON is the message stored, field for field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mock_efidem.domain.models import (
    Attachment,
    Channel,
    Message,
    PlannedStep,
    PostalAddress,
    PostalName,
    Recipient,
    StatusEvent,
)
from mock_efidem.shared.codec import decode, encode_carried, encode_state

AT = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC)


def test_every_field_survives_the_round_trip() -> None:
    recipient = Recipient(
        address="1 rue de la Paix, 75002 Paris",
        name="Mme Jeanne Dupont",
        reference="réf-1",
        kind="to",
        variables=("a", "b"),
        history=[StatusEvent(AT, "accepted", 1, "accepted")],
        plan=[PlannedStep("printed", AT + timedelta(seconds=30), "5.1.1 ✓")],
        polls=2,
    )
    message = Message(
        id="0" * 32,
        channel=Channel.LETTER,
        account="ci/job",
        operation="send_letter",
        created_at=AT,
        recipients=[recipient],
        subject="Sujet « accentué »",
        text="texte",
        html="<p>html</p>",
        sender="Boutique",
        reply_to="reply@example.fr",
        reference="ref",
        billing_code="CODE",
        attachments=(Attachment("lettre.pdf", b"%PDF-\xff\x00"),),
        options={
            "postal_name": PostalName("Mme", "Dupont", "Jeanne", "ACME"),
            "postal_address": PostalAddress("1 rue de la Paix", "", "", "75002", "Paris", "FR"),
            "colour": True,
            "tracking": {"carrier": "La Poste", "number": "1A123"},
        },
        seq=7,
    )
    read = decode(
        message.id,
        message.channel.value,
        message.account,
        message.seq,
        encode_carried(message).encode(),
        encode_state(message).encode(),
    )
    assert read == message
