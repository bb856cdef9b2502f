"""What an accepted send carries, in plain English: messages, recipients, attachments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    EMAIL = "email"
    RELAY = "relay"
    SMS = "sms"
    LETTER = "letter"
    FAX = "fax"


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class RecipientInput:
    """One recipient as a caller describes it (DESTINATAIRE on the wire)."""

    address: str = ""
    name: str = ""
    reference: str = ""
    variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class PostalName:
    civility: str = ""
    last_name: str = ""
    first_name: str = ""
    company: str = ""


@dataclass(frozen=True)
class PostalAddress:
    line1: str = ""
    line2: str = ""
    line3: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class StatusEvent:
    at: datetime
    status: str
    code: int
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """A status the recipient will reach at ``due`` (or after enough polls)."""

    status: str
    due: datetime
    detail: str = ""


@dataclass(slots=True)
class Recipient:
    """One addressee of a message, with its own delivery history and what lies ahead."""

    address: str
    name: str = ""
    reference: str = ""
    kind: str = "to"
    variables: tuple[str, ...] = ()
    history: list[StatusEvent] = field(default_factory=list)
    plan: list[PlannedStep] = field(default_factory=list)
    polls: int = 0

    @property
    def current(self) -> StatusEvent:
        return self.history[-1]


@dataclass(slots=True)
class Message:
    id: str
    channel: Channel
    account: str
    operation: str
    created_at: datetime
    recipients: list[Recipient]
    subject: str = ""
    text: str = ""
    html: str = ""
    sender: str = ""
    reply_to: str = ""
    reference: str = ""
    billing_code: str = ""
    attachments: tuple[Attachment, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    """Arrival number, set by the store: only grows, so it orders newest first."""
    revision: int = field(default=0, repr=False, compare=False)
    """Which saved state of a shared store this copy is, so that a change made from a
    stale copy is refused (and made again on the fresh one)."""
    search_text: str | None = field(default=None, init=False, repr=False, compare=False)
    """What a text search looks in, made at the first one (domain/queries.py)."""

    def recipient_by_reference(self, reference: str) -> Recipient | None:
        if not reference:
            return None
        return next((r for r in self.recipients if r.reference == reference), None)

    def recipient_by_address(self, address: str) -> Recipient | None:
        wanted = address.strip().lower()
        return next((r for r in self.recipients if r.address.lower() == wanted), None)
