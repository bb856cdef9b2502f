"""The web inbox: what the application sent, for a developer's browser.

Server-rendered HTML, no script: every value is escaped, and a message's HTML body is
shown in a sandboxed frame, so nothing it carries runs in the inbox's page.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from mock_efidem.domain.models import Message
from mock_efidem.domain.store import Page

REFRESH_SECONDS = 5
PAGE_SIZE = 50
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:10px 20px}header a{color:#fff}
main{padding:16px 20px}table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{background:#eef1f4}.status{font-weight:600}.final{color:#1f7a3a}.muted{color:#777}
pre{white-space:pre-wrap;background:#fff;padding:10px;border:1px solid #e3e6ea}
iframe{width:100%;height:320px;border:1px solid #e3e6ea;background:#fff}
""".strip()


def inbox_page(page: Page, channel: str | None) -> str:
    messages = page.messages
    rows = "".join(_row(m) for m in messages) or (
        '<tr><td colspan="6" class="muted">Nothing sent yet.</td></tr>'
    )
    filters = " · ".join(
        f'<a href="/_mock/inbox?channel={c}">{c}</a>'
        for c in ("email", "relay", "sms", "letter", "fax")
    )
    title = f"mock-efidem inbox{' — ' + escape(channel) if channel else ''}"
    body = (
        f'<p><a href="/_mock/inbox">all</a> · {filters} — {page.total} message(s), '
        f"newest first; refreshes every {REFRESH_SECONDS} s.</p>"
        "<table><tr><th>sent</th><th>channel</th><th>to</th><th>subject / text</th>"
        f"<th>status</th><th>account</th></tr>{rows}</table>{_older_link(page, channel)}"
    )
    return _page(title, body, refresh=True)


def _older_link(page: Page, channel: str | None) -> str:
    if page.next_cursor is None:
        return ""
    query = urlencode({"channel": channel or "", "before": page.next_cursor})
    return f'<p><a href="/_mock/inbox?{query}">older messages</a></p>'


def _row(message: Message) -> str:
    recipients = "<br>".join(escape(r.address) for r in message.recipients[:5])
    if len(message.recipients) > 5:
        recipients += f"<br><span class=muted>+{len(message.recipients) - 5} more</span>"
    statuses = "<br>".join(escape(r.current.status) for r in message.recipients[:5])
    summary = message.subject or message.text[:80]
    return (
        f"<tr><td>{message.created_at:%Y-%m-%d %H:%M:%S}</td><td>{message.channel}</td>"
        f"<td>{recipients}</td>"
        f'<td><a href="/_mock/inbox/{message.id}">{escape(summary) or "(empty)"}</a></td>'
        f'<td class="status">{statuses}</td><td>{escape(message.account)}</td></tr>'
    )


def message_page(message: Message) -> str:
    attachments = "".join(
        f'<li><a href="/_mock/messages/{message.id}/attachments/{index}">'
        f"{escape(a.name) or '(no name)'}</a> ({a.size} bytes)</li>"
        for index, a in enumerate(message.attachments)
    )
    html_part = (
        f'<h3>HTML</h3><iframe sandbox="" srcdoc="{escape(message.html, quote=True)}"></iframe>'
        if message.html
        else ""
    )
    fields = {
        "id": message.id,
        "channel": message.channel.value,
        "operation": message.operation,
        "account": message.account,
        "sent": message.created_at.isoformat(),
        "from": message.sender,
        "reply-to": message.reply_to,
        "REFCLIENT": message.reference,
        "billing code": message.billing_code,
        **{key: _plain(value) for key, value in message.options.items()},
    }
    body = (
        '<p><a href="/_mock/inbox">← inbox</a> · '
        f'<a href="/_mock/messages/{message.id}">JSON</a></p>'
        f"<h2>{escape(message.subject or '(no subject)')}</h2>"
        + _definitions(fields)
        + "<h3>Recipients</h3>"
        + "".join(_recipient(r) for r in message.recipients)
        + (f"<h3>Text</h3><pre>{escape(message.text)}</pre>" if message.text else "")
        + html_part
        + (f"<h3>Attachments</h3><ul>{attachments}</ul>" if attachments else "")
    )
    return _page(f"mock-efidem — {message.id}", body, refresh=False)


def _recipient(recipient: Any) -> str:
    history = "".join(
        f"<tr><td>{e.at:%Y-%m-%d %H:%M:%S}</td><td class=status>{escape(e.status)}</td>"
        f"<td>{e.code}</td><td>{escape(e.detail)}</td></tr>"
        for e in recipient.history
    )
    name = f" ({escape(recipient.name)})" if recipient.name else ""
    return (
        f"<p><b>{escape(recipient.address)}</b>{name} — {escape(recipient.kind)}</p>"
        f"<table><tr><th>at</th><th>status</th><th>code</th><th>detail</th></tr>{history}</table>"
    )


def _definitions(fields: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
        for k, v in fields.items()
        if v not in ("", None)
    )
    return f"<table>{rows}</table>"


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return ", ".join(str(v) for v in vars(value).values() if v)
    return value


def _page(title: str, body: str, refresh: bool) -> str:
    meta = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if refresh else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">{meta}'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f'<body><header><b>{escape(title)}</b> · <a href="/_mock/journal">journal</a> · '
        f'<a href="/_mock/statuses">statuses</a></header><main>{body}</main></body></html>'
    )
