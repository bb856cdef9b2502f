"""The inspection and control API under /_mock/: JSON for tests, QA and the inbox.

A thin adapter: it parses, asks the world's backend and renders; bad input gets a
4xx with a JSON error, never a traceback.
"""

from __future__ import annotations

import json
import math
import mimetypes
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from werkzeug.exceptions import BadRequest, Conflict, HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from mock_efidem import __version__
from mock_efidem.control import inbox
from mock_efidem.control.answers import json_error, json_response
from mock_efidem.control.guard import LOGIN_PATH, Guard
from mock_efidem.control.stream import HEADERS, MEDIA_TYPE, open_stream
from mock_efidem.control.views import catalogue_json, clock_json, message_json
from mock_efidem.control.waiting import WaitingRoom
from mock_efidem.domain.backend import DEFAULT_PAGE_SIZE
from mock_efidem.domain.lifecycle import POLLS_MODE, TIME_MODE, IllegalTransition, UnknownStatus
from mock_efidem.domain.models import Channel, Message, Recipient
from mock_efidem.domain.queries import MessageQuery
from mock_efidem.domain.spelling import did_you_mean
from mock_efidem.domain.statuses import CATALOGUE
from mock_efidem.journal import JOURNAL_FILTERS, JournalQuery
from mock_efidem.recording import CallRecord, record_of
from mock_efidem.scenario.loader import ScenarioError, load_rule, load_text
from mock_efidem.world import PlacedRule, World

PREFIX = "/_mock"
MAX_WAIT_SECONDS = 60.0
MAX_PAGE_SIZE = 1000
MESSAGE_FILTERS = (
    "channel", "account", "recipient", "status", "refclient", "q", "final", "since", "until",
)  # fmt: skip
FIELD_FILTER = "field."
PAGING = ("limit", "before", "wait")
INBOX_ROUTES = (
    ("/inbox/rows", "inbox_rows"),
    ("/inbox/calls", "inbox_calls"),
    ("/inbox/calls/rows", "inbox_call_rows"),
    ("/inbox/calls/<int:entry_id>", "inbox_call"),
    ("/inbox/scenarios/<name>", "inbox_scenario"),
    ("/inbox/<message_id>/live", "inbox_live"),
    ("/inbox/<message_id>/attachments/<int:index>", "inbox_attachment"),
    ("/static/<name>", "static"),
)
"""The web inbox's pages, the JSON inbox.js draws and its assets: not journalled, as
reading the journal is not (watching must not change what is watched)."""
INBOX_VIEWS = ("inbox", "inbox_message", *(name for _, name in INBOX_ROUTES))

QUIET = frozenset({"health", "journal", "journal_entry", "journal_count", "events", *INBOX_VIEWS})
"""Calls not journalled: reading the journal (or its events) must not change it;
health is polled."""
CHANNELS = tuple(channel.value for channel in Channel)
STATUS_NAMES = frozenset(s.name for statuses in CATALOGUE.values() for s in statuses)

URLS = Map(
    [
        Rule(f"{PREFIX}/health", endpoint="health", methods=["GET"]),
        Rule(f"{PREFIX}/messages", endpoint="messages", methods=["GET"]),
        Rule(f"{PREFIX}/messages/<message_id>", endpoint="message", methods=["GET"]),
        Rule(f"{PREFIX}/messages/<message_id>", endpoint="delete_message", methods=["DELETE"]),
        Rule(f"{PREFIX}/events", endpoint="events", methods=["GET"]),
        Rule(f"{PREFIX}/messages/<message_id>/status", endpoint="force", methods=["POST"]),
        Rule(
            f"{PREFIX}/messages/<message_id>/attachments/<int:index>",
            endpoint="attachment",
            methods=["GET"],
        ),
        Rule(f"{PREFIX}/inbox", endpoint="inbox", methods=["GET"]),
        Rule(f"{PREFIX}/inbox/<message_id>", endpoint="inbox_message", methods=["GET"]),
        *(Rule(f"{PREFIX}{path}", endpoint=name, methods=["GET"]) for path, name in INBOX_ROUTES),
        Rule(f"{PREFIX}/clock", endpoint="clock", methods=["GET"]),
        Rule(f"{PREFIX}/clock/advance", endpoint="advance", methods=["POST"]),
        Rule(f"{PREFIX}/clock/freeze", endpoint="freeze", methods=["POST"]),
        Rule(f"{PREFIX}/clock/unfreeze", endpoint="unfreeze", methods=["POST"]),
        Rule(f"{PREFIX}/clock/mode", endpoint="mode", methods=["POST"]),
        Rule(f"{PREFIX}/statuses", endpoint="statuses", methods=["GET"]),
        Rule(f"{PREFIX}/journal", endpoint="journal", methods=["GET"]),
        Rule(f"{PREFIX}/journal/count", endpoint="journal_count", methods=["GET"]),
        Rule(f"{PREFIX}/journal/<int:entry_id>", endpoint="journal_entry", methods=["GET"]),
        Rule(f"{PREFIX}/rules", endpoint="rules", methods=["GET", "POST"]),
        Rule(f"{PREFIX}/rules/<rule_id>", endpoint="rule", methods=["GET", "DELETE"]),
        Rule(f"{PREFIX}/reset", endpoint="reset", methods=["POST"]),
        Rule(f"{PREFIX}/scenario", endpoint="scenario", methods=["GET", "POST", "PUT"]),
    ],
    strict_slashes=False,
)


class ControlApi:
    def __init__(
        self,
        world: World,
        waiting_room: WaitingRoom | None = None,
        stream_room: WaitingRoom | None = None,
    ) -> None:
        """``waiting_room`` seats long polls, ``stream_room`` event streams."""
        self.world = world
        self.guard = Guard(world.settings.host, world.settings.admin_token)
        self.waiting_room = waiting_room or WaitingRoom()
        self.stream_room = stream_room or WaitingRoom(world.settings.max_event_streams)
        self._views: dict[str, Callable[..., Response]] = {
            name: getattr(self, name)
            for name in (
                "health", "messages", "message", "force", "clock", "advance", "freeze",
                "unfreeze", "mode", "statuses", "journal", "journal_count", "journal_entry",
                "rules", "rule", "reset", "scenario", "attachment", "inbox", "inbox_message",
                "delete_message", "events",
            )
        }  # fmt: skip
        self._views.update({name: getattr(self, name) for name in INBOX_VIEWS})

    def dispatch(self, request: Request) -> Response:
        refusal = self.guard.refusal(request)
        if refusal is not None:
            return refusal
        if request.path == LOGIN_PATH and request.method == "POST":
            return self.guard.login(request)
        record = record_of(request.environ)
        try:
            endpoint, arguments = URLS.bind_to_environ(request.environ).match()
            if record is not None:
                _tell(record, endpoint, arguments)
            return self._views[endpoint](request, **arguments)
        except HTTPException as error:
            return json_error(error.code or 500, error.description or error.name)

    # --- messages ----------------------------------------------------------------

    def health(self, request: Request) -> Response:
        backend, shared = self.world.backend, self.world.shared
        store = {"store": "memory"}
        if shared is not None:
            store = {"store": shared.address, "store_prefix": self.world.settings.store_prefix}
        return json_response(
            {"status": "ok", "version": __version__, "messages": len(backend.store)}
            | store
            | {"pid": os.getpid()}  # which worker of --workers answered
        )

    def messages(self, request: Request) -> Response:
        """One page, newest first: ``limit`` (default 100), ``before`` (the previous
        page's ``next``), ``wait`` seconds for a first match (a long poll)."""
        _only(request, (*MESSAGE_FILTERS, *PAGING))
        query = message_query(request.args)
        wait = _number(request.args.get("wait", "0"), "wait", 0.0, MAX_WAIT_SECONDS)
        limit, before = _paging(request)
        if wait <= 0:
            page = self.world.backend.find_page(query, limit, before)
        else:
            with self.waiting_room.seat() as seated:
                if not seated:
                    room = self.waiting_room.capacity
                    return json_error(503, f"{room} long polls wait already; retry later")
                page = self.world.backend.find_page(query, limit, before, wait)
        shown = [message_json(m) for m in page.messages]
        return _page_json("messages", shown, page.total, page.next_cursor)

    def message(self, request: Request, message_id: str) -> Response:
        return json_response(message_json(self._message(message_id)))

    def delete_message(self, request: Request, message_id: str) -> Response:
        deleted = self.world.backend.delete(message_id)
        if deleted is None:
            raise NotFound(f"no message with id {message_id}")
        return json_response({"deleted": deleted.id})

    def events(self, request: Request) -> Response:
        """Server-sent events: messages, calls and resets as they happen."""
        lifetime = self.world.settings.event_stream_seconds
        stream = open_stream(self.world.events, self.stream_room, lifetime, request.environ)
        if isinstance(stream, str):
            return json_error(503, stream)
        record = record_of(request.environ)
        if record is not None:
            record.stream = True
        return Response(stream, mimetype=MEDIA_TYPE, headers=HEADERS)

    def force(self, request: Request, message_id: str) -> Response:
        message = self._message(message_id)
        body = _json_body(request)
        status = _string(body, "status", required=True)
        recipients = _select_recipients(message, body.get("recipient"))
        try:
            message = self.world.backend.force_status(
                message, recipients, status, _string(body, "detail")
            )
        except UnknownStatus as error:
            raise BadRequest(str(error)) from error
        except IllegalTransition as error:
            raise Conflict(str(error)) from error
        return json_response(message_json(message))

    def attachment(self, request: Request, message_id: str, index: int) -> Response:
        attachments = self._message(message_id).attachments
        if index >= len(attachments):
            raise NotFound(f"message {message_id} has no attachment {index}")
        found = attachments[index]
        return Response(
            found.content,
            content_type=mimetypes.guess_type(found.name)[0] or "application/octet-stream",
            headers={"Content-Disposition": _disposition(found.name)},
        )

    # --- the web inbox -------------------------------------------------------------

    def inbox(self, request: Request) -> Response:
        return _html(inbox.inbox_page(self.world, request.args))

    def inbox_rows(self, request: Request) -> Response:
        return json_response(inbox.inbox_rows(self.world, request.args))

    def inbox_message(self, request: Request, message_id: str) -> Response:
        return _html(inbox.message_page(self.world, self._message(message_id)))

    def inbox_live(self, request: Request, message_id: str) -> Response:
        return json_response(inbox.message_state(self.world, self._message(message_id)))

    def inbox_attachment(self, request: Request, message_id: str, index: int) -> Response:
        """An attachment shown in a tab of its own: only types that run nothing."""
        attachments = self._message(message_id).attachments
        if index >= len(attachments):
            raise NotFound(f"message {message_id} has no attachment {index}")
        found = attachments[index]
        kind = inbox.attachment_type(found)
        if kind not in inbox.VIEWABLE:
            raise NotFound(f"a {kind} attachment is not shown here; download it")
        disposition = "inline" + _disposition(found.name).removeprefix("attachment")
        return Response(
            found.content,
            content_type=f"{kind}; charset=utf-8" if kind.startswith("text/") else kind,
            headers={**_INBOX_HEADERS, "Content-Disposition": disposition},
        )

    def inbox_calls(self, request: Request) -> Response:
        return _html(inbox.calls_page(self.world, request.args))

    def inbox_call_rows(self, request: Request) -> Response:
        return json_response(inbox.calls_rows(self.world, request.args))

    def inbox_call(self, request: Request, entry_id: int) -> Response:
        entry = self.world.journal.get(entry_id)
        if entry is None:
            raise NotFound(f"the journal has no entry {entry_id} (or no longer)")
        return _html(inbox.call_page(self.world, entry))

    def inbox_scenario(self, request: Request, name: str) -> Response:
        text = inbox.scenario_text(name)
        if text is None:
            raise NotFound(f"no shipped scenario is named {name!r}")
        return Response(text, content_type="text/plain; charset=utf-8", headers=_INBOX_HEADERS)

    def static(self, request: Request, name: str) -> Response:
        if name not in inbox.ASSETS:
            raise NotFound(f"no asset {name}")
        response = Response(
            inbox.asset(name),
            content_type=inbox.ASSETS[name],
            headers={**_INBOX_HEADERS, "Cache-Control": "no-cache"},
        )
        response.add_etag()
        return response.make_conditional(request)

    def _message(self, message_id: str) -> Message:
        found = self.world.backend.find_any(message_id)
        if found is None:
            raise NotFound(f"no message with id {message_id}")
        return found

    # --- clock and lifecycle -----------------------------------------------------------

    def clock(self, request: Request) -> Response:
        return json_response(clock_json(self.world.backend))

    def advance(self, request: Request) -> Response:
        body = _json_body(request)
        if "seconds" not in body:
            raise BadRequest('give {"seconds": N}')
        seconds = _number(body["seconds"], "seconds", 0.0, 10 * 365 * 86_400.0)
        try:
            self.world.backend.clock.advance(seconds)
        except OverflowError:
            raise BadRequest("the clock cannot go past the year 9999") from None
        self.world.backend.store.touch()
        return json_response(clock_json(self.world.backend))

    def freeze(self, request: Request) -> Response:
        self.world.backend.clock.freeze()
        return json_response(clock_json(self.world.backend))

    def unfreeze(self, request: Request) -> Response:
        self.world.backend.clock.unfreeze()
        return json_response(clock_json(self.world.backend))

    def mode(self, request: Request) -> Response:
        body = _json_body(request)
        mode = _string(body, "mode", required=True)
        if mode not in (TIME_MODE, POLLS_MODE):
            raise BadRequest(f'"mode" must be "{TIME_MODE}" or "{POLLS_MODE}"')
        polls = body.get("polls_per_step")
        per_step = None if polls is None else int(_number(polls, "polls_per_step", 1, 1e6))
        self.world.set_mode(mode, per_step)
        return json_response(clock_json(self.world.backend))

    def statuses(self, request: Request) -> Response:
        return json_response(catalogue_json())

    # --- journal and reset ---------------------------------------------------------

    def journal(self, request: Request) -> Response:
        """Entries newest first, a page of ``limit`` below the id ``before``."""
        query = _journal_query(request, PAGING[:2])
        limit, before = _paging(request)
        page = self.world.journal.find_page(query, limit, before)
        shown = [e.to_json() for e in page.entries]
        return _page_json("entries", shown, page.total, page.next_cursor)

    def journal_count(self, request: Request) -> Response:
        return json_response({"count": self.world.journal.count(_journal_query(request, ()))})

    def journal_entry(self, request: Request, entry_id: int) -> Response:
        entry = self.world.journal.get(entry_id)
        if entry is None:
            raise NotFound(f"the journal has no entry {entry_id} (or no longer)")
        return json_response(entry.to_json())

    # --- rules added at run time ----------------------------------------------------

    def rules(self, request: Request) -> Response:
        """GET: every rule in the order it applies; POST: add one before the scenario's."""
        if request.method == "GET":
            return json_response({"rules": [_rule_json(p) for p in self.world.placed]})
        body = _json_body(request)
        unknown = sorted(set(body) - {"section", "rule"})
        if unknown:
            raise BadRequest(f"unknown key {', '.join(unknown)}; give section and rule")
        section = str(body.get("section"))
        try:
            rule = load_rule(section, body.get("rule"))
        except ScenarioError as error:
            return _invalid("invalid rule; nothing was added", error)
        placed = self.world.add_rule(section, rule, body.get("rule"))
        return json_response(_rule_json(placed), 201)

    def rule(self, request: Request, rule_id: str) -> Response:
        placed = next((p for p in self.world.placed if p.id == rule_id), None)
        if placed is None:
            raise NotFound(f"no rule {rule_id}; GET {PREFIX}/rules lists them")
        if request.method == "GET":
            return json_response(_rule_json(placed))
        if not placed.added:
            raise Conflict(f"{rule_id} is the scenario's; only rules added at run time go")
        self.world.remove_rule(rule_id)
        return json_response({"deleted": rule_id})

    # --- reset and scenario ------------------------------------------------------------

    def reset(self, request: Request) -> Response:
        account = _string(_json_body(request), "account") or None
        self.world.reset(account)
        return json_response({"reset": account or "all"})

    def scenario(self, request: Request) -> Response:
        """GET: the scenario in force; POST/PUT a YAML body: load it in its place."""
        if request.method != "GET":
            try:
                loaded = load_text(request.get_data(as_text=True), default_name="posted")
            except ScenarioError as error:
                return _invalid("invalid scenario; the current one stays", error)
            self.world.load(loaded)
        scenario = self.world.scenario
        return json_response(
            {
                "name": scenario.name,
                "seed": self.world.seed,
                "accounts": [a.name for a in scenario.accounts],
                "open_accounts": scenario.open_accounts,
                "outcomes": len(scenario.outcome_rules),
                "responses": len(scenario.responses),
                "faults": len(scenario.faults),
            }
        )


def _invalid(what: str, error: ScenarioError) -> Response:
    problems = [asdict(p) for p in error.problems]
    return json_response({"error": what, "status": 400, "problems": problems}, 400)


def _rule_json(placed: PlacedRule) -> dict[str, Any]:
    return {**placed.summary(), "id": placed.id, "added": placed.added, "rule": placed.document}


def _paging(request: Request) -> tuple[int, int | None]:
    """A list's ``limit`` and ``before`` (the previous page's ``next``)."""
    limit = _whole(request.args.get("limit"), "limit", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    return limit, _whole(request.args.get("before"), "before", None, 2**62)


def _page_json(key: str, items: list[Any], total: int, next_cursor: int | None) -> Response:
    """One page of a list, newest first, as every paged list of the API answers it."""
    return json_response({"count": len(items), "total": total, "next": next_cursor, key: items})


def _tell(record: CallRecord, endpoint: str, arguments: Mapping[str, Any]) -> None:
    record.operation = endpoint
    record.quiet = endpoint in QUIET
    if "message_id" in arguments:
        record.message_ids.append(str(arguments["message_id"]))


def message_query(args: Mapping[str, str]) -> MessageQuery:
    """The messages filters (MESSAGE_FILTERS) of a query string; a malformed one is a
    400 that says what it should be."""
    given = {key: args.get(key) or None for key in MESSAGE_FILTERS}
    channel, status = given["channel"], given["status"]
    if channel and channel.lower() not in CHANNELS:
        raise BadRequest(f'"channel" must be one of {", ".join(CHANNELS)}, not {channel!r}')
    if status and status.lower() not in STATUS_NAMES:
        hint = did_you_mean(status, sorted(STATUS_NAMES))
        raise BadRequest(f'"status": no status is named {status!r}{hint}')
    return MessageQuery(
        channel=channel,
        account=given["account"],
        recipient=given["recipient"],
        status=status,
        refclient=given["refclient"],
        contains=(given["q"] or "").strip() or None,
        final=_truth(given["final"], "final"),
        since=_moment(given["since"], "since"),
        until=_moment(given["until"], "until"),
    )


def _truth(text: str | None, name: str) -> bool | None:
    if text is None:
        return None
    if text.lower() not in ("true", "false"):
        raise BadRequest(f'"{name}" must be true or false, not {text!r}')
    return text.lower() == "true"


def _journal_query(request: Request, paging: tuple[str, ...]) -> JournalQuery:
    fields = tuple(
        (key.removeprefix(FIELD_FILTER), value)
        for key, value in request.args.items(multi=True)
        if key.startswith(FIELD_FILTER) and key != FIELD_FILTER
    )
    accepted = (*JOURNAL_FILTERS, *paging)
    unknown = sorted(k for k in set(request.args) - set(accepted) if not k.startswith(FIELD_FILTER))
    if unknown:
        raise BadRequest(
            _unknown(unknown, accepted, f" and {FIELD_FILTER}NAME for any request field")
        )
    given = {key: request.args.get(key) or None for key in JOURNAL_FILTERS}
    status = given.pop("http_status")
    since = given.pop("since")
    return JournalQuery(
        **given,
        http_status=_whole(status, "http_status", None, 599),
        since=_moment(since, "since"),
        fields=fields,
    )


def _moment(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise BadRequest(f'"{name}" must be an ISO 8601 date and time, not {text!r}') from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_INBOX_HEADERS = {**inbox.SECURITY_HEADERS, "Cache-Control": "no-store"}


def _html(page: str) -> Response:
    return Response(page, content_type="text/html; charset=utf-8", headers=_INBOX_HEADERS)


def _safe_name(name: str) -> str:
    return "".join(c for c in name if c.isprintable() and c not in '"\\/') or "attachment"


def _disposition(name: str) -> str:
    """RFC 6266: an ASCII stand-in for old clients, and the name itself, UTF-8 encoded
    (a header holds only Latin-1: "facture 📄 請求書.pdf" could not be sent raw)."""
    safe = _safe_name(name)
    fallback = safe.encode("ascii", "replace").decode("ascii")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"


def _select_recipients(message: Message, selector: Any) -> list[Recipient]:
    """All recipients, or the one named by address, REFCLIENT or position."""
    if selector is None:
        return list(message.recipients)
    if isinstance(selector, int) and not isinstance(selector, bool):
        if 0 <= selector < len(message.recipients):
            return [message.recipients[selector]]
    elif isinstance(selector, str) and selector.strip():
        found = message.recipient_by_address(selector) or message.recipient_by_reference(selector)
        if found is not None:
            return [found]
    raise BadRequest(f"message {message.id} has no recipient {selector!r}")


def _only(request: Request, accepted: tuple[str, ...]) -> None:
    """A misspelt filter (chanel=sms) would silently match everything: refuse it."""
    unknown = sorted(set(request.args) - set(accepted))
    if unknown:
        raise BadRequest(_unknown(unknown, accepted))


def _unknown(unknown: list[str], accepted: tuple[str, ...], more: str = "") -> str:
    hint = did_you_mean(unknown[0], accepted)
    close = f" ({hint.removeprefix('; ')})" if hint.startswith("; did you mean") else ""
    return f"unknown parameter {', '.join(unknown)}{close}; accepted: {', '.join(accepted)}{more}"


def _json_body(request: Request) -> dict[str, Any]:
    raw = request.get_data(as_text=True).strip()
    if not raw:
        return {}
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BadRequest(f"the body is not JSON: {error}") from error
    except RecursionError:
        raise BadRequest("the body is JSON nested too deep") from None
    if not isinstance(document, dict):
        raise BadRequest("the body must be a JSON object")
    return document


def _string(body: dict[str, Any], key: str, required: bool = False) -> str:
    value = body.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f'"{key}" must be a non-empty string')
    return value.strip()


def _whole(text: str | None, name: str, default: int | None, high: int) -> Any:
    """A query parameter that must be a whole number from 1 to ``high``, if given."""
    if text is None or text == "":
        return default
    if not text.isdigit() or not 1 <= int(text) <= high:
        raise BadRequest(f'"{name}" must be a whole number from 1 to {high}')
    return int(text)


def _number(value: Any, name: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadRequest(f'"{name}" must be a number') from None
    if isinstance(value, bool) or not math.isfinite(number) or not low <= number <= high:
        raise BadRequest(f'"{name}" must be a number from {low:g} to {high:g}')
    return number
