"""The web inbox: what the application sent and what it called, for a developer's
browser, under /_mock/inbox.

Server-rendered HTML that works without a script (lists, filters as GET forms, pages
of 50, one page per message and per call); ``static/inbox.js`` adds live updates over
/_mock/events, search as you type and the buttons that drive the JSON API. Every
value is escaped, a message's HTML body shows in a sandboxed frame, and every page
carries a Content-Security-Policy that runs no script but the inbox's own.

The control API's routes call the functions here with the world and the query's
arguments; each answers a page (HTML) or what inbox.js draws (JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mock_efidem.control.inbox import calls, listing
from mock_efidem.control.inbox.channels import VIEWABLE, attachment_type
from mock_efidem.control.inbox.filters import CallFilters, MessageFilters
from mock_efidem.control.inbox.html import ASSETS, SECURITY_HEADERS, Frame, asset, page
from mock_efidem.control.inbox.message import message_body, title
from mock_efidem.control.inbox.recipients import recipients_json
from mock_efidem.domain.models import Message
from mock_efidem.journal import JournalEntry

if TYPE_CHECKING:
    from mock_efidem.world import World

__all__ = [
    "ASSETS",
    "SECURITY_HEADERS",
    "VIEWABLE",
    "asset",
    "attachment_type",
    "call_page",
    "calls_page",
    "calls_rows",
    "inbox_page",
    "inbox_rows",
    "message_page",
    "message_state",
    "scenario_text",
]
PAGE_SIZE = listing.PAGE_SIZE


def inbox_page(world: World, args: Mapping[str, str]) -> str:
    filters = MessageFilters.parse(args)
    found = world.backend.find_page(filters.query(), PAGE_SIZE, filters.before)
    body = listing.list_body(found, filters, _accounts(world))
    return page("Inbox", body, frame_of(world), "list")


def inbox_rows(world: World, args: Mapping[str, str]) -> dict[str, Any]:
    filters = MessageFilters.parse(args)
    found = world.backend.find_page(filters.query(), PAGE_SIZE, filters.before)
    return {**listing.rows_json(found, filters), "clock": _clock(world)}


def message_page(world: World, message: Message) -> str:
    about = calls.calls_of(world.journal, message.id)
    return page(title(message), message_body(message, about), frame_of(world), "message")


def message_state(world: World, message: Message) -> dict[str, Any]:
    """What inbox.js redraws when the message changes: its recipients' states."""
    return {**recipients_json(message), "clock": _clock(world)}


def calls_page(world: World, args: Mapping[str, str]) -> str:
    filters = CallFilters.parse(args)
    found = world.journal.find_page(filters.query(), calls.PAGE_SIZE, filters.before)
    return page("Calls", calls.calls_body(found, filters), frame_of(world), "calls", "calls")


def calls_rows(world: World, args: Mapping[str, str]) -> dict[str, Any]:
    filters = CallFilters.parse(args)
    found = world.journal.find_page(filters.query(), calls.PAGE_SIZE, filters.before)
    return {**calls.rows_json(found, filters), "clock": _clock(world)}


def call_page(world: World, entry: JournalEntry) -> str:
    name = f"Call #{entry.id}"
    return page(name, calls.call_body(entry), frame_of(world), "call", "calls")


def scenario_text(name: str) -> str | None:
    """A shipped scenario's YAML, for the inbox to load; None if none has that name."""
    from mock_efidem.scenario.loader import shipped_names
    from mock_efidem.world import shipped_scenario_text

    return shipped_scenario_text(f"{name}.yaml") if name in shipped_names() else None


def frame_of(world: World) -> Frame:
    from mock_efidem.scenario.loader import shipped_names

    clock = world.backend.clock
    return Frame(
        now=clock.now(),
        frozen=clock.frozen,
        scenario=world.scenario.name,
        scenarios=tuple(shipped_names()),
        accounts=_accounts(world),
    )


def _clock(world: World) -> dict[str, Any]:
    """The clock with every answer inbox.js asks for: it stays right, and reading it
    adds nothing to the journal (GET /_mock/clock would)."""
    clock = world.backend.clock
    return {"now": clock.now().isoformat(), "frozen": clock.frozen}


def _accounts(world: World) -> tuple[str, ...]:
    return tuple(world.backend.accounts.names())
