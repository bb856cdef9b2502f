"""The journal as a developer reads it: every call, rejected ones with their code,
what it means and why (the field and the value that broke the rule), each linked to
its messages; one call's whole exchange; a message's source, the request that sent it.

inbox.js draws the same rows from ``rows_json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree

from mock_efidem.control.inbox.filters import APPLICATION, PROTOCOLS, CallFilters
from mock_efidem.control.inbox.html import CALLS, INBOX, esc, options, query_string, when
from mock_efidem.journal import JournalEntry, JournalLike, JournalPage, JournalQuery

PAGE_SIZE = 50
COLUMNS = ("At", "Protocol", "Operation", "Account", "Result", "Why", "Messages", "Time")
CELL_IDS = tuple(
    f"call-{name}"
    for name in ("at", "protocol", "operation", "account", "result", "why", "messages", "time")
)
PROTOCOL_NAMES = {APPLICATION: "the application's (SOAP, DQE)", "": "all, the inbox's too"}
REJECTED_RESULTS = frozenset({"fault", "reset", "empty"})
Part = tuple[str, str]


def calls_body(page: JournalPage, filters: CallFilters) -> str:
    rows = "".join(row_html(e) for e in page.entries) or (
        f'<tr class="empty" data-testid="no-calls"><td colspan="{len(COLUMNS)}">'
        "No call matches.</td></tr>"
    )
    heads = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS)
    older = _older_href(page, filters)
    pager = f'<a href="{esc(older)}" data-testid="older-calls">Older calls →</a>' if older else ""
    return (
        f"{_form(filters)}"
        f'<p class="summary" data-testid="calls-summary"><span data-testid="calls-total">'
        f"{page.total}</span> call(s), newest first.</p>"
        f'<table class="calls" data-testid="calls"><thead><tr>{heads}</tr></thead>'
        f'<tbody data-testid="call-rows">{rows}</tbody></table>'
        f'<nav class="pager" data-testid="calls-pager">{pager}</nav>'
    )


def row_html(entry: JournalEntry) -> str:
    row = _row_json(entry)
    result = f'<span class="result">{esc(row["result"])}</span>' + (
        f' <span class="http">HTTP {row["http_status"]}</span>' if row["http_note"] else ""
    )
    contents = (
        esc(row["at"]),
        esc(row["protocol"]),
        f'<a href="{esc(row["href"])}" data-testid="call-link">{esc(row["operation"])}</a>',
        esc(row["account"]),
        result,
        parts_html(row["why"]),
        " ".join(
            f'<a href="{esc(m["href"])}" data-testid="call-message">{esc(m["short"])}</a>'
            for m in row["messages"]
        ),
        esc(row["time"]),
    )
    tds = "".join(
        f'<td data-label="{esc(name)}" data-testid="{testid}">{content}</td>'
        for name, testid, content in zip(COLUMNS, CELL_IDS, contents, strict=True)
    )
    rejected = " rejected" if row["rejected"] else ""
    return f'<tr class="call{rejected}" data-testid="call-row" data-id="{entry.id}">{tds}</tr>'


def rows_json(page: JournalPage, filters: CallFilters) -> dict[str, Any]:
    return {
        "total": page.total,
        "next": page.next_cursor,
        "older": _older_href(page, filters),
        "rows": [_row_json(e) for e in page.entries],
    }


def _row_json(entry: JournalEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "href": f"{CALLS}/{entry.id}",
        "at": when(entry.at),
        "protocol": entry.protocol,
        "operation": entry.operation or entry.request.target,
        "account": entry.account,
        "result": entry.result,
        "http_status": entry.http_status,
        "http_note": str(entry.http_status) != entry.result and entry.http_status != 200,
        "rejected": rejected(entry),
        "why": why_parts(entry.why),
        "messages": [{"id": m, "href": f"{INBOX}/{m}", "short": m[:8]} for m in entry.message_ids],
        "time": f"{entry.duration_ms:.1f} ms",
    }


def rejected(entry: JournalEntry) -> bool:
    """Refused by the vendor's rules, faulted, or cut: what a developer looks for."""
    why = entry.why or {}
    return (
        "code" in why
        or "fault" in why
        or entry.result in REJECTED_RESULTS
        or entry.http_status >= 400
    )


def why_parts(why: Mapping[str, Any] | None) -> list[Part]:
    """Why a call got its answer, as (kind, text) pieces a page shows side by side:
    the table row's meaning, the field and its value, the rule and where it is
    written, the fault; a cut answer's own why after it."""
    if not why:
        return []
    parts: list[Part] = []
    if why.get("meaning"):
        parts.append(("meaning", str(why["meaning"])))
    if "field" in why:
        parts += [("field", str(why["field"])), ("value", f'"{why.get("value", "")}"')]
    if "rule" in why:
        origin = f" ({why['origin']})" if why.get("origin") else ""
        parts.append(("rule", f"{why.get('section', '')} rule {why['rule']}{origin}".strip()))
    if "fault" in why:
        parts.append(("fault", f"{why['fault']}: {why.get('message', '')}".rstrip(": ")))
    if isinstance(why.get("answer"), Mapping):
        inner = " ".join(text for _, text in why_parts(why["answer"]))
        parts.append(("answer", f"the answer it cut: {inner}"))
    known = {"table", "code", "meaning", "field", "value", "section", "rule", "origin"}
    parts += [
        ("other", f"{key}: {_plain(value)}")
        for key, value in why.items()
        if key not in known | {"fault", "message", "answer"}
    ]
    return parts


def parts_html(parts: Iterable[Part]) -> str:
    return " ".join(
        f'<span class="why-{esc(kind)}" data-testid="why-{esc(kind)}">{esc(text)}</span>'
        for kind, text in parts
    )


def _plain(value: Any) -> str:
    """A nested value as words, never a Python repr."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def _older_href(page: JournalPage, filters: CallFilters) -> str:
    if page.next_cursor is None:
        return ""
    return CALLS + query_string({**filters.params(), "before": page.next_cursor})


def _form(filters: CallFilters) -> str:
    protocols = options(
        [(p if p else "all", PROTOCOL_NAMES.get(p, p)) for p in (*PROTOCOLS, "")],
        filters.protocol or "all",
    )
    texts = (
        ("operation", filters.operation, "operation (ENVOYER_*, part of a name)"),
        ("account", filters.account, "account"),
        ("result", filters.result, "result (ok, -9, fault…)"),
        ("message_id", filters.message_id, "message id"),
    )
    inputs = "".join(
        f'<input name="{name}" value="{esc(value)}" placeholder="{esc(hint)}" '
        f'aria-label="{esc(name)}" data-testid="calls-filter-{name.replace("_", "-")}">'
        for name, value, hint in texts
    )
    return (
        f'<form class="filters" method="get" action="{CALLS}" role="search" '
        'data-testid="calls-filters"><select name="protocol" aria-label="protocol" '
        f'data-testid="calls-filter-protocol">{protocols}</select>{inputs}'
        '<button type="submit" data-testid="calls-filter-submit">Search</button>'
        f'<a href="{CALLS}" data-testid="calls-filter-clear">Clear filters</a></form>'
    )


# --- one call ------------------------------------------------------------------------


def call_body(entry: JournalEntry) -> str:
    facts = (
        ("Call", f"#{entry.id}"),
        ("At", when(entry.at)),
        ("Protocol", entry.protocol),
        ("Operation", entry.operation),
        ("Account", entry.account),
        ("Result", entry.result),
        ("Value", entry.value),
        ("HTTP status", str(entry.http_status)),
        ("Time", f"{entry.duration_ms:.1f} ms"),
        ("Client", entry.client),
    )
    why = parts_html(why_parts(entry.why)) or '<span class="muted">nothing to explain</span>'
    messages = "".join(
        f'<li><a href="{INBOX}/{esc(m)}" data-testid="call-message">{esc(m)}</a></li>'
        for m in entry.message_ids
    )
    rejected_class = " rejected" if rejected(entry) else ""
    return (
        f'<nav class="crumbs"><a href="{CALLS}" data-testid="back-to-calls">← Calls</a> · '
        f'<a href="/_mock/journal/{entry.id}">JSON</a></nav>'
        f'<article class="call-detail{rejected_class}" data-testid="call" data-id="{entry.id}">'
        f'<h1 data-testid="call-title">{esc(entry.operation or entry.request.target)} → '
        f"{esc(entry.result)}</h1>{_facts(facts)}"
        f'<h2>Why</h2><p class="why" data-testid="call-why">{why}</p>'
        + (f'<h2>Messages</h2><ul data-testid="call-messages">{messages}</ul>' if messages else "")
        + _fields(entry)
        + _exchange("Request", entry, request=True)
        + _exchange("Response", entry, request=False)
        + "</article>"
    )


def _facts(facts: Iterable[tuple[str, str]]) -> str:
    rows = "".join(
        f"<div><dt>{esc(name)}</dt><dd>{esc(value)}</dd></div>" for name, value in facts if value
    )
    return f'<dl class="facts" data-testid="call-facts">{rows}</dl>'


def _fields(entry: JournalEntry) -> str:
    if not entry.fields:
        return ""
    rows = "".join(
        f"<tr><th>{esc(name)}</th><td>{'<br>'.join(esc(v) for v in values)}</td></tr>"
        for name, values in entry.fields.items()
    )
    return f'<h2>Fields</h2><table class="fields" data-testid="call-fields">{rows}</table>'


def _exchange(title: str, entry: JournalEntry, request: bool) -> str:
    side = entry.request if request else entry.response
    first = (
        f"{entry.request.method} {entry.request.target}"
        if request
        else f"HTTP {entry.response.status}"
    )
    note = "" if request else entry.response.note
    headers = "".join(
        f"<tr><th>{esc(_header(name))}</th><td>{esc(value)}</td></tr>"
        for name, value in side.headers
    )
    testid = title.lower()
    return (
        f'<section class="exchange" data-testid="call-{testid}"><h2>{title}</h2>'
        f"<p><code>{esc(first)}</code>{_cut(side.body.size, len(side.body.data))}</p>"
        + (f'<p class="note">{esc(note)}</p>' if note else "")
        + f'<table class="headers">{headers}</table>'
        + f'<pre class="body" data-testid="call-{testid}-body">'
        + f"{esc(pretty_xml(side.body.data))}</pre></section>"
    )


def _header(name: str) -> str:
    return name.removeprefix("HTTP_").replace("_", "-").title() if name.isupper() else name


def _cut(size: int, kept: int) -> str:
    if kept >= size:
        return f' <span class="muted">· {size} bytes</span>'
    return f' <span class="muted">· the first {kept} of {size} bytes (the journal cut it)</span>'


# --- a message's calls and source --------------------------------------------------


MESSAGE_CALLS = 200
"""Calls shown on a message's page, the latest (its link to the Calls view shows all)."""


def calls_of(journal: JournalLike, message_id: str) -> list[JournalEntry]:
    """The calls about one message, oldest first: its send, its status reads, forcing.
    A page of the journal's own query: a shared journal reads only those whole."""
    found = journal.find_page(JournalQuery(message_id=message_id), MESSAGE_CALLS)
    return found.entries[::-1]


def message_calls_html(entries: list[JournalEntry], message_id: str) -> str:
    rows = "".join(row_html(e) for e in entries) or (
        f'<tr class="empty"><td colspan="{len(COLUMNS)}">No call about it is left in the '
        "journal.</td></tr>"
    )
    heads = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS)
    everything = esc(CALLS + query_string({"message_id": message_id, "protocol": "all"}))
    return (
        f'<section class="message-calls" data-testid="message-calls"><h2>Calls</h2>'
        f'<table class="calls"><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>'
        f'<p><a href="{everything}" data-testid="message-calls-link">In the calls view</a>'
        "</p></section>"
    )


def source_html(send: JournalEntry | None) -> str:
    """The request XML that sent the message, as the journal kept it."""
    if send is None:
        return (
            '<p class="muted" data-testid="source-missing">The request is no longer in the '
            "journal (it keeps the latest calls; a reset empties it).</p>"
        )
    body = send.request.body
    return (
        f'<p class="muted">{esc(send.operation)}, <a href="{CALLS}/{send.id}" '
        f'data-testid="source-call">call #{send.id}</a> at {esc(when(send.at))}'
        f"{_cut(body.size, len(body.data))}</p>"
        f'<pre class="xml" data-testid="source-xml">{esc(pretty_xml(body.data))}</pre>'
    )


def pretty_xml(data: bytes) -> str:
    """XML indented for reading; anything else (a cut body, a form) as it came."""
    text = data.decode("utf-8", "replace")
    if not text.lstrip().startswith("<"):
        return text
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return text
    indented: str = etree.tostring(root, pretty_print=True, encoding="unicode")
    return indented
