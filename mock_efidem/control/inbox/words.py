"""How the inbox names things: channels, statuses with their catalogue label and code,
operations by their wire name, sizes, and a message's one-line summary."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from mock_efidem.domain.models import Channel, Message, Recipient
from mock_efidem.domain.statuses import CATALOGUE, status_named
from mock_efidem.soap.operations import OPERATIONS

CHANNEL_NAMES: Mapping[str, str] = {
    "email": "Email",
    "relay": "Relay email",
    "sms": "SMS",
    "letter": "Letter",
    "fax": "Fax",
}
WIRE_NAMES: Mapping[str, str] = {
    op.operation: op.wire_name for op in reversed(OPERATIONS)
}  # the first of aliases (COURRIER_ENVOYER) wins
SUMMARY_LENGTH = 100


def status_label(channel: Channel, status: str) -> str:
    """The catalogue's French label and its code: SMS délivré (3)."""
    definition = status_named(channel, status)
    return f"{definition.label} ({definition.code})" if definition else status


def is_final(channel: Channel, status: str) -> bool:
    definition = status_named(channel, status)
    return bool(definition and definition.final)


def status_badge(channel: Channel, status: str) -> str:
    """The status as a page shows it: a final one styled as such."""
    final = " final" if is_final(channel, status) else ""
    return f'<span class="status{final}">{escape(status_label(channel, status))}</span>'


def wire_name(operation: str) -> str:
    """ENVOYER_EMAIL for send_email: what the application called."""
    return WIRE_NAMES.get(operation, operation)


def status_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Per channel, its statuses as (name, label) pairs."""
    return [
        (CHANNEL_NAMES[channel.value], [(s.name, f"{s.label} ({s.code})") for s in statuses])
        for channel, statuses in CATALOGUE.items()
    ]


def size(count: int) -> str:
    if count < 1000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1_000_000:.1f} MB"


def summary(message: Message) -> str:
    """The line the list shows: a subject, else the start of the text."""
    found = message.subject or message.text or str(message.options.get("cover_page") or "")
    if not found and message.attachments:
        found = message.attachments[0].name
    found = " ".join(found.split())
    return found[:SUMMARY_LENGTH] + ("…" if len(found) > SUMMARY_LENGTH else "")


def addressee(message: Message, recipient: Recipient) -> str:
    """A recipient as the list shows it: a letter's by name (its address is long)."""
    if message.channel is Channel.LETTER:
        company = getattr(message.options.get("postal_name"), "company", "")
        return recipient.name or company or recipient.address
    return recipient.address
