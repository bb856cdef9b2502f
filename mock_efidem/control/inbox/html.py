"""What every inbox page shares: escaping, its headers and its frame (the top bar with
the mock's clock and its controls).

Every value that reaches a page passes ``esc``: a message, a journal entry and a
scenario are all written by someone else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html import escape
from importlib import resources
from urllib.parse import urlencode

INBOX = "/_mock/inbox"
CALLS = f"{INBOX}/calls"
STATIC = "/_mock/static"
ASSETS = {"inbox.js": "text/javascript; charset=utf-8", "inbox.css": "text/css; charset=utf-8"}
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # An email's HTML keeps its inline styles: its sandboxed srcdoc frame inherits
        # this policy. No value reaches a page unescaped, so no style can be injected.
        "style-src 'self' 'unsafe-inline'",
        # No remote image: nothing leaves the machine, an email's trackers included.
        "img-src 'self' data:",
        "frame-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
ADVANCES = (
    ("+1 min", 60, "advance-minute"),
    ("+1 h", 3600, "advance-hour"),
    ("+1 day", 86_400, "advance-day"),
)


def esc(value: object) -> str:
    """Text for an element's content or a quoted attribute."""
    return escape(str(value), quote=True)


def when(moment: datetime) -> str:
    """A time as the inbox shows it: the mock's clock, in UTC, to the second."""
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def query_string(params: Mapping[str, object]) -> str:
    """``?a=1&b=2`` of the non-empty parameters, or nothing."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"?{urlencode(kept)}" if kept else ""


def options(choices: Iterable[tuple[str, str]], selected: str) -> str:
    return "".join(
        f'<option value="{esc(value)}"{" selected" if value == selected else ""}>'
        f"{esc(label)}</option>"
        for value, label in choices
    )


@dataclass(frozen=True)
class Frame:
    """What the top bar shows: the clock and what the controls offer."""

    now: datetime
    frozen: bool
    scenario: str
    scenarios: tuple[str, ...]
    accounts: tuple[str, ...]


def page(title: str, body: str, frame: Frame, kind: str, section: str = "messages") -> str:
    """A whole inbox page; ``kind`` tells inbox.js which page it enhances."""
    return (
        '<!doctype html><html lang="en" class="no-js"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · mock-efidem</title>"
        f'<link rel="stylesheet" href="{asset_url("inbox.css")}">'
        f'<script src="{asset_url("inbox.js")}" defer></script></head>'
        f'<body data-page="{esc(kind)}">{_top_bar(frame, section)}{_toolbar(frame)}'
        '<div id="toast" class="toast" role="status" aria-live="polite" data-testid="toast" '
        f'hidden></div><main id="main">{body}</main></body></html>'
    )


def asset_url(name: str) -> str:
    """The asset's address, with its content's hash: a new version is never stale."""
    return f"{STATIC}/{name}?v={hashlib.sha256(asset(name)).hexdigest()[:12]}"


@cache
def asset(name: str) -> bytes:
    """A static asset's bytes (``name`` one of ASSETS)."""
    return resources.files("mock_efidem.control").joinpath("static", name).read_bytes()


def _top_bar(frame: Frame, section: str) -> str:
    links = (("messages", INBOX, "Messages"), ("calls", CALLS, "Calls"))
    current = ' aria-current="page"'
    nav = "".join(
        f'<a href="{href}" data-testid="nav-{name}"{current if name == section else ""}>{label}</a>'
        for name, href, label in links
    )
    state = "frozen" if frame.frozen else "running"
    return (
        f'<header class="top"><a class="brand" href="{INBOX}">mock-efidem</a>'
        f'<nav class="sections">{nav}</nav>'
        '<span class="live" data-testid="live-status" data-state="off" hidden>offline</span>'
        f'<span class="clock" data-testid="clock" data-now="{esc(frame.now.isoformat())}" '
        f'data-frozen="{str(frame.frozen).lower()}" title="the mock\'s clock (UTC)">'
        f'<span data-testid="clock-time">{when(frame.now)}</span> UTC '
        f'<span class="clock-state" data-testid="clock-state">{state}</span></span></header>'
    )


def _toolbar(frame: Frame) -> str:
    advances = "".join(
        f'<button type="button" data-action="advance" data-seconds="{seconds}" '
        f'data-testid="{testid}">{label}</button>'
        for label, seconds, testid in ADVANCES
    )
    accounts = options(
        [("", "all accounts (reset)"), *((a, f"account {a}") for a in frame.accounts)], ""
    )
    scenarios = options([(s, s) for s in frame.scenarios], frame.scenario)
    return (
        '<div class="toolbar js-only" data-testid="toolbar">'
        f'<div class="group" data-testid="clock-controls">{advances}'
        '<button type="button" data-action="freeze" data-testid="freeze">Freeze</button>'
        '<button type="button" data-action="unfreeze" data-testid="unfreeze">Unfreeze</button>'
        '</div><div class="group" data-testid="reset-controls">'
        '<select data-testid="reset-account" aria-label="what to clear">'
        f"{accounts}</select>"
        '<button type="button" class="danger" data-action="reset" data-testid="reset">'
        "Clear</button></div>"
        '<div class="group" data-testid="scenario-controls"><label>Scenario '
        f'<select data-testid="scenario-select">{scenarios}</select></label>'
        '<button type="button" data-action="load-scenario" data-testid="scenario-load">Load'
        f'</button><span class="muted">in force: <span data-testid="scenario-current">'
        f"{esc(frame.scenario)}</span></span></div></div>"
    )
