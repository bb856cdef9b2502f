"""A message's recipients: who, their REFCLIENT and variables, their status, their
timeline on the mock's clock (what happened, then what is due) and the statuses a
test may force from where each stands.

inbox.js redraws the status, the timeline and the choices from ``recipients_json``
when the message changes: the elements and classes here are what it builds there.
"""

from __future__ import annotations

from typing import Any

from mock_efidem.control.inbox.html import esc, when
from mock_efidem.control.inbox.words import is_final, status_badge, status_label
from mock_efidem.domain.models import Channel, Message, Recipient
from mock_efidem.domain.statuses import reachable_from
from mock_efidem.soap.types import VARIABLE_NAMES


def recipients_html(message: Message) -> str:
    cards = "".join(_card(message, index, r) for index, r in enumerate(message.recipients))
    count = len(message.recipients)
    return (
        f'<section class="recipients" data-testid="recipients"><h2>Recipients ({count})</h2>'
        f"{cards}</section>"
    )


def recipients_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "recipients": [
            {
                "index": index,
                "status": status_label(message.channel, r.current.status),
                "final": is_final(message.channel, r.current.status),
                "timeline": _timeline(message.channel, r),
                "reachable": _reachable(message.channel, r),
            }
            for index, r in enumerate(message.recipients)
        ],
    }


def _card(message: Message, index: int, recipient: Recipient) -> str:
    name = (
        f' <span class="name" data-testid="recipient-name">{esc(recipient.name)}</span>'
        if recipient.name
        else ""
    )
    kind = (
        f' <span class="kind" data-testid="recipient-kind">{esc(recipient.kind.upper())}</span>'
        if message.channel is Channel.RELAY
        else ""
    )
    return (
        f'<section class="recipient" data-testid="recipient" data-index="{index}">'
        f'<h3><span class="address" data-testid="recipient-address">{esc(recipient.address)}'
        f"</span>{name}{kind}</h3>{_fields(recipient)}"
        '<p class="current">Status: <span data-testid="recipient-status">'
        f"{status_badge(message.channel, recipient.current.status)}</span></p>"
        f'<ol class="timeline" data-testid="timeline">{_events(message.channel, recipient)}</ol>'
        f"{_force_form(message.channel, index, recipient)}</section>"
    )


def _fields(recipient: Recipient) -> str:
    given = [("REFCLIENT", recipient.reference, "recipient-refclient")]
    given += [
        (name, value, f"recipient-{name.lower()}")
        for name, value in zip(VARIABLE_NAMES, recipient.variables, strict=False)
    ]
    rows = "".join(
        f'<div><dt>{esc(name)}</dt><dd data-testid="{testid}">{esc(value)}</dd></div>'
        for name, value, testid in given
        if value
    )
    return f'<dl class="fields" data-testid="recipient-fields">{rows}</dl>' if rows else ""


def _timeline(channel: Channel, recipient: Recipient) -> list[dict[str, Any]]:
    past = [
        {
            "at": when(e.at),
            "status": status_label(channel, e.status),
            "final": is_final(channel, e.status),
            "detail": e.detail,
            "upcoming": False,
        }
        for e in recipient.history
    ]
    due = [
        {
            "at": when(step.due),
            "status": status_label(channel, step.status),
            "final": is_final(channel, step.status),
            "detail": step.detail,
            "upcoming": True,
        }
        for step in recipient.plan
    ]
    return past + due


def _events(channel: Channel, recipient: Recipient) -> str:
    return "".join(_event(event) for event in _timeline(channel, recipient))


def _event(event: dict[str, Any]) -> str:
    classes = (
        "event" + (" final" if event["final"] else "") + (" upcoming" if event["upcoming"] else "")
    )
    due = '<span class="due">due</span> ' if event["upcoming"] else ""
    detail = f' <span class="detail">{esc(event["detail"])}</span>' if event["detail"] else ""
    return (
        f'<li class="{classes}" data-testid="timeline-event">{due}'
        f'<time>{esc(event["at"])}</time> <span class="status">{esc(event["status"])}</span>'
        f"{detail}</li>"
    )


def _reachable(channel: Channel, recipient: Recipient) -> list[dict[str, str]]:
    return [
        {"name": name, "label": status_label(channel, name)}
        for name in reachable_from(channel, recipient.current.status)
    ]


def _force_form(channel: Channel, index: int, recipient: Recipient) -> str:
    """The statuses this recipient can still reach (the way there is walked too)."""
    choices = _reachable(channel, recipient)
    options = "".join(
        f'<option value="{esc(c["name"])}">{esc(c["label"])}</option>' for c in choices
    )
    hidden = "" if choices else " hidden"
    none = "" if not choices else " hidden"
    return (
        f'<form class="force js-only" data-testid="force-form" data-index="{index}">'
        f'<span{hidden} data-testid="force-choices"><label>Force status '
        f'<select name="status" data-testid="force-status">{options}</select></label> '
        '<button type="button" data-action="force" data-testid="force-button">Force</button>'
        f'</span><span class="muted"{none} data-testid="force-none">A final status: nothing '
        "can follow it.</span></form>"
    )
