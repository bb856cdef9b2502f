"""Messages as JSON for Redis, in two parts: what a send carried (written once) and its
recipients' state (rewritten at each change, so that a status change never rewrites an
attachment). JSON, never pickle: whoever can write to a shared Redis must not be able
to run code in the mock."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

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

_OPTION_TYPES: dict[str, type[PostalName] | type[PostalAddress]] = {
    "PostalName": PostalName,
    "PostalAddress": PostalAddress,
}
_CARRIED = (
    "operation",
    "subject",
    "text",
    "html",
    "sender",
    "reply_to",
    "reference",
    "billing_code",
)


def encode_carried(message: Message) -> str:
    """What the send carried: everything but the recipients' state, the id and ``seq``
    (the store keeps those beside it)."""
    document: dict[str, Any] = {name: getattr(message, name) for name in _CARRIED}
    document["created_at"] = message.created_at.isoformat()
    document["attachments"] = [
        [a.name, base64.b64encode(a.content).decode("ascii")] for a in message.attachments
    ]
    document["options"] = {k: _option(v) for k, v in message.options.items()}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _option(value: Any) -> Any:
    if isinstance(value, PostalName | PostalAddress):
        return {"__type": type(value).__name__, **asdict(value)}
    return value


def _option_value(value: Any) -> Any:
    if isinstance(value, dict) and value.get("__type") in _OPTION_TYPES:
        kind = _OPTION_TYPES[value["__type"]]
        known = {f.name for f in fields(kind)}
        return kind(**{k: v for k, v in value.items() if k in known})
    return value


def encode_state(message: Message) -> str:
    """The recipients, with their histories, plans and poll counts."""
    return json.dumps(
        [_recipient(r) for r in message.recipients], ensure_ascii=False, separators=(",", ":")
    )


def _recipient(recipient: Recipient) -> list[Any]:
    return [
        recipient.address,
        recipient.name,
        recipient.reference,
        recipient.kind,
        list(recipient.variables),
        [[e.at.isoformat(), e.status, e.code, e.detail] for e in recipient.history],
        [[s.status, s.due.isoformat(), s.detail] for s in recipient.plan],
        recipient.polls,
    ]


def decode(
    message_id: str, channel: str, account: str, seq: int, carried: bytes, state: bytes
) -> Message:
    document = json.loads(carried)
    return Message(
        id=message_id,
        channel=Channel(channel),
        account=account,
        created_at=datetime.fromisoformat(document["created_at"]),
        recipients=[_recipient_of(item) for item in json.loads(state)],
        **{name: document[name] for name in _CARRIED},
        attachments=tuple(
            Attachment(name, base64.b64decode(content)) for name, content in document["attachments"]
        ),
        options={k: _option_value(v) for k, v in document["options"].items()},
        seq=seq,
    )


def _recipient_of(item: list[Any]) -> Recipient:
    address, name, reference, kind, variables, history, plan, polls = item
    return Recipient(
        address=address,
        name=name,
        reference=reference,
        kind=kind,
        variables=tuple(variables),
        history=[StatusEvent(datetime.fromisoformat(at), s, c, d) for at, s, c, d in history],
        plan=[PlannedStep(s, datetime.fromisoformat(due), d) for s, due, d in plan],
        polls=polls,
    )
