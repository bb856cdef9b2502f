"""The list of messages: its filters as a GET form, one row per message, the pager.

inbox.js draws the same rows from ``rows_json`` (search as you type, live updates):
a row's elements and classes here are what it builds there.
"""

from __future__ import annotations

from typing import Any

from mock_efidem.control.inbox.filters import CHANNELS, MessageFilters
from mock_efidem.control.inbox.html import INBOX, esc, options, query_string, when
from mock_efidem.control.inbox.words import (
    CHANNEL_NAMES,
    addressee,
    is_final,
    status_badge,
    status_choices,
    status_label,
    summary,
)
from mock_efidem.domain.models import Message
from mock_efidem.domain.store import Page

PAGE_SIZE = 50
SHOWN_RECIPIENTS = 3
COLUMNS = ("Sent", "Channel", "To", "Subject / text", "Status", "Account", "")
CELL_IDS = tuple(
    f"message-{name}"
    for name in ("sent", "channel", "recipients", "summary", "status", "account", "actions")
)
NOTHING = "Nothing sent yet."
NO_MATCH = "No message matches these filters."


def list_body(page: Page, filters: MessageFilters, accounts: tuple[str, ...]) -> str:
    rows = "".join(row_html(m) for m in page.messages) or _empty_row(filters)
    heads = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS)
    return (
        f"{_form(filters, accounts)}"
        f'<p class="summary" data-testid="list-summary"><span data-testid="list-total">'
        f"{page.total}</span> message(s), newest first.</p>"
        f'<table class="messages" data-testid="messages"><thead><tr>{heads}</tr></thead>'
        f'<tbody data-testid="message-rows">{rows}</tbody></table>'
        f"{_pager(page, filters)}"
    )


def row_html(message: Message) -> str:
    channel = message.channel.value
    contents = (
        esc(when(message.created_at)),
        _channel_badge(channel),
        _recipients(message),
        _link(message),
        _statuses(message),
        esc(message.account),
        _delete_button(message.id),
    )
    tds = "".join(
        f'<td data-label="{esc(name)}" data-testid="{testid}">{content}</td>'
        for name, testid, content in zip(COLUMNS, CELL_IDS, contents, strict=True)
    )
    return (
        f'<tr data-testid="message-row" data-id="{esc(message.id)}" '
        f'data-channel="{esc(channel)}">{tds}</tr>'
    )


def rows_json(page: Page, filters: MessageFilters) -> dict[str, Any]:
    """The rows as inbox.js draws them: every text ready to show."""
    return {
        "total": page.total,
        "next": page.next_cursor,
        "older": _older_href(page, filters),
        "empty": NO_MATCH if any(filters.params().values()) else NOTHING,
        "rows": [_row_json(m) for m in page.messages],
    }


def _row_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "href": f"{INBOX}/{message.id}",
        "channel": message.channel.value,
        "channel_name": CHANNEL_NAMES[message.channel.value],
        "account": message.account,
        "sent": when(message.created_at),
        "summary": summary(message) or "(empty)",
        "recipients": [
            {
                "address": addressee(message, r),
                "status": status_label(message.channel, r.current.status),
                "final": is_final(message.channel, r.current.status),
            }
            for r in message.recipients[:SHOWN_RECIPIENTS]
        ],
        "more": max(0, len(message.recipients) - SHOWN_RECIPIENTS),
    }


def _channel_badge(channel: str) -> str:
    return f'<span class="channel channel-{esc(channel)}">{esc(CHANNEL_NAMES[channel])}</span>'


def _recipients(message: Message) -> str:
    shown = "".join(
        f'<span class="recipient">{esc(addressee(message, r))}</span>'
        for r in message.recipients[:SHOWN_RECIPIENTS]
    )
    more = len(message.recipients) - SHOWN_RECIPIENTS
    return shown + (f'<span class="more muted">+{more} more</span>' if more > 0 else "")


def _statuses(message: Message) -> str:
    return "".join(
        status_badge(message.channel, r.current.status)
        for r in message.recipients[:SHOWN_RECIPIENTS]
    )


def _link(message: Message) -> str:
    return (
        f'<a href="{INBOX}/{esc(message.id)}" data-testid="message-link">'
        f"{esc(summary(message) or '(empty)')}</a>"
    )


def _delete_button(message_id: str) -> str:
    return (
        f'<button type="button" class="js-only danger small" data-action="delete" '
        f'data-id="{esc(message_id)}" data-testid="delete-message">Delete</button>'
    )


def _empty_row(filters: MessageFilters) -> str:
    text = NO_MATCH if any(filters.params().values()) else NOTHING
    return (
        f'<tr class="empty" data-testid="no-messages"><td colspan="{len(COLUMNS)}">'
        f"{esc(text)}</td></tr>"
    )


def _pager(page: Page, filters: MessageFilters) -> str:
    older = _older_href(page, filters)
    links = []
    if filters.before is not None:
        newest = esc(INBOX + query_string(filters.params()))
        links.append(f'<a href="{newest}" data-testid="newest">← Newest</a>')
    link = f'<a href="{esc(older)}" data-testid="older">Older messages →</a>' if older else ""
    links.append(link)
    return f'<nav class="pager" data-testid="pager">{"".join(links)}</nav>'


def _older_href(page: Page, filters: MessageFilters) -> str:
    if page.next_cursor is None:
        return ""
    return INBOX + query_string({**filters.params(), "before": page.next_cursor})


def _form(filters: MessageFilters, accounts: tuple[str, ...]) -> str:
    channels = options(
        [("", "all channels"), *((c, CHANNEL_NAMES[c]) for c in CHANNELS)], filters.channel
    )
    finals = options(
        [("", "final or not"), ("true", "final"), ("false", "not final yet")], filters.final
    )
    known = "".join(f'<option value="{esc(a)}"></option>' for a in accounts)
    return (
        f'<form class="filters" method="get" action="{INBOX}" role="search" '
        'data-testid="filters">'
        f'<input type="search" name="q" value="{esc(filters.q)}" data-testid="filter-q" '
        'aria-label="search" placeholder="Search: recipient, sender, subject, text, '
        'REFCLIENT, id, account">'
        f'<select name="channel" aria-label="channel" data-testid="filter-channel">{channels}'
        "</select>"
        '<select name="status" aria-label="status" data-testid="filter-status">'
        f"{_status_options(filters)}</select>"
        f'<select name="final" aria-label="final" data-testid="filter-final">{finals}</select>'
        f'<input name="account" value="{esc(filters.account)}" list="accounts" '
        'placeholder="account" aria-label="account" data-testid="filter-account">'
        f'<datalist id="accounts">{known}</datalist>'
        f'<label>from <input type="datetime-local" step="1" name="since" '
        f'value="{esc(filters.since)}" data-testid="filter-since"></label>'
        f'<label>to <input type="datetime-local" step="1" name="until" '
        f'value="{esc(filters.until)}" data-testid="filter-until"></label>'
        '<button type="submit" data-testid="filter-submit">Search</button>'
        f'<a href="{INBOX}" data-testid="filter-clear">Clear filters</a></form>'
    )


def _status_options(filters: MessageFilters) -> str:
    """Per channel, its statuses; the chosen one selected once, in the chosen channel."""
    wanted = CHANNEL_NAMES.get(filters.channel)
    groups = status_choices()
    holder = next((group for group, statuses in groups if filters.status in dict(statuses)), None)
    if wanted and any(g == wanted and filters.status in dict(s) for g, s in groups):
        holder = wanted
    return '<option value="">any status</option>' + "".join(
        f'<optgroup label="{esc(group)}">'
        f"{options(statuses, filters.status if group == holder else '')}</optgroup>"
        for group, statuses in groups
    )
