"""JSON views of domain objects."""

from __future__ import annotations

import base64
from dataclasses import asdict, is_dataclass
from typing import Any

from mock_efidem.domain.backend import EfidemBackend
from mock_efidem.domain.models import Channel, Message, Recipient
from mock_efidem.domain.statuses import CATALOGUE, TRANSITIONS, status_named


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "channel": message.channel.value,
        "account": message.account,
        "operation": message.operation,
        "created_at": message.created_at.isoformat(),
        "recipients": [recipient_json(message.channel, r) for r in message.recipients],
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "sender": message.sender,
        "reply_to": message.reply_to,
        "reference": message.reference,
        "billing_code": message.billing_code,
        "attachments": [
            {"name": a.name, "size": a.size, "content_base64": base64.b64encode(a.content).decode()}
            for a in message.attachments
        ],
        "options": {key: _plain(value) for key, value in message.options.items()},
    }


def recipient_json(channel: Channel, recipient: Recipient) -> dict[str, Any]:
    current = recipient.current
    definition = status_named(channel, current.status)
    return {
        "address": recipient.address,
        "name": recipient.name,
        "reference": recipient.reference,
        "kind": recipient.kind,
        "variables": list(recipient.variables),
        "status": current.status,
        "status_code": current.code,
        "status_label": definition.label if definition else current.status,
        "final": bool(definition and definition.final),
        "history": [
            {"at": e.at.isoformat(), "status": e.status, "code": e.code, "detail": e.detail}
            for e in recipient.history
        ],
        "pending": [
            {"status": step.status, "due": step.due.isoformat(), "detail": step.detail}
            for step in recipient.plan
        ],
    }


def catalogue_json() -> dict[str, Any]:
    return {
        channel.value: [
            {
                "code": s.code,
                "name": s.name,
                "label": s.label,
                "final": s.final,
                "next": list(TRANSITIONS[channel].get(s.name, ())),
            }
            for s in statuses
        ]
        for channel, statuses in CATALOGUE.items()
    }


def clock_json(backend: EfidemBackend) -> dict[str, Any]:
    settings = backend.lifecycle.settings
    return {
        "now": backend.clock.now().isoformat(),
        "frozen": backend.clock.frozen,
        "mode": settings.mode,
        "polls_per_step": settings.polls_per_step,
    }


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value
