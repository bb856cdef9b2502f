"""JSON views of domain objects."""

from __future__ import annotations

import base64
from dataclasses import asdict, is_dataclass
from typing import Any

from mock_efidem.domain.models import Message, Recipient


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "channel": message.channel.value,
        "account": message.account,
        "operation": message.operation,
        "created_at": message.created_at.isoformat(),
        "recipients": [recipient_json(r) for r in message.recipients],
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


def recipient_json(recipient: Recipient) -> dict[str, Any]:
    current = recipient.current
    return {
        "address": recipient.address,
        "name": recipient.name,
        "reference": recipient.reference,
        "kind": recipient.kind,
        "variables": list(recipient.variables),
        "status": current.status,
        "status_code": current.code,
        "history": [
            {"at": e.at.isoformat(), "status": e.status, "code": e.code, "detail": e.detail}
            for e in recipient.history
        ],
    }


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value
