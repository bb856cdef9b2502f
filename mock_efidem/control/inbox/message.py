"""One message's page: what it is, its channel's view, its recipients, its calls."""

from __future__ import annotations

from mock_efidem.control.inbox.calls import message_calls_html
from mock_efidem.control.inbox.channels import channel_html, dl
from mock_efidem.control.inbox.html import CALLS, INBOX, esc, query_string, when
from mock_efidem.control.inbox.recipients import recipients_html
from mock_efidem.control.inbox.words import CHANNEL_NAMES, addressee, wire_name
from mock_efidem.domain.models import Message
from mock_efidem.journal import JournalEntry


def message_body(message: Message, calls: list[JournalEntry]) -> str:
    send = sending_call(message, calls)
    operation = send.operation if send is not None else wire_name(message.operation)
    facts = (
        ("Id", message.id, "message-id"),
        ("Channel", CHANNEL_NAMES[message.channel.value], "message-channel"),
        ("Operation", operation, "message-operation"),
        ("Account", message.account, "message-account"),
        ("Sent", when(message.created_at), "message-sent"),
    )
    everything = esc(CALLS + query_string({"message_id": message.id, "protocol": "all"}))
    return (
        f'<nav class="crumbs"><a href="{INBOX}" data-testid="back-to-inbox">← Inbox</a> · '
        f'<a href="/_mock/messages/{esc(message.id)}" data-testid="message-json">JSON</a> · '
        f'<a href="{everything}" data-testid="message-calls-view">Calls</a>'
        '<button type="button" class="js-only danger small" data-action="delete" '
        f'data-id="{esc(message.id)}" data-testid="delete-message">Delete</button></nav>'
        '<p class="banner" data-testid="deleted-banner" hidden>This message was deleted, '
        "or cleared by a reset.</p>"
        f'<article class="message message-{message.channel.value}" data-testid="message" '
        f'data-id="{esc(message.id)}" data-channel="{message.channel.value}">'
        f'<h1 data-testid="message-title">{esc(title(message))}</h1>'
        f"{dl(facts, 'message-facts')}{channel_html(message, send)}"
        f"{recipients_html(message)}{message_calls_html(calls, message.id)}</article>"
    )


def title(message: Message) -> str:
    if message.subject:
        return message.subject
    first = message.recipients[0] if message.recipients else None
    to = f" to {addressee(message, first)}" if first is not None else ""
    more = f" and {len(message.recipients) - 1} more" if len(message.recipients) > 1 else ""
    return f"{CHANNEL_NAMES[message.channel.value]}{to}{more}"


def sending_call(message: Message, calls: list[JournalEntry]) -> JournalEntry | None:
    """The SOAP call that sent it: the first that answered its id."""
    return next(
        (c for c in calls if c.protocol == "soap" and c.result == "ok" and c.value == message.id),
        None,
    )
