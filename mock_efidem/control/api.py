"""The inspection and control API under /_mock/: JSON for tests, QA and the inbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from mock_efidem import __version__
from mock_efidem.control.views import message_json
from mock_efidem.world import World

PREFIX = "/_mock"

URLS = Map(
    [
        Rule(f"{PREFIX}/health", endpoint="health", methods=["GET"]),
        Rule(f"{PREFIX}/messages", endpoint="messages", methods=["GET"]),
        Rule(f"{PREFIX}/messages/<message_id>", endpoint="message", methods=["GET"]),
        Rule(f"{PREFIX}/journal", endpoint="journal", methods=["GET"]),
        Rule(f"{PREFIX}/reset", endpoint="reset", methods=["POST"]),
    ],
    strict_slashes=False,
)


def json_response(document: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(document, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def json_error(status: int, message: str) -> Response:
    return json_response({"error": message, "status": status}, status)


class ControlApi:
    def __init__(self, world: World) -> None:
        self.world = world
        self._views: dict[str, Callable[..., Response]] = {
            "health": self.health,
            "messages": self.messages,
            "message": self.message,
            "journal": self.journal,
            "reset": self.reset,
        }

    def dispatch(self, request: Request) -> Response:
        try:
            endpoint, arguments = URLS.bind_to_environ(request.environ).match()
            return self._views[endpoint](request, **arguments)
        except HTTPException as error:
            return json_error(error.code or 500, error.description or error.name)

    def health(self, request: Request) -> Response:
        return json_response(
            {"status": "ok", "version": __version__, "messages": len(self.world.backend.store)}
        )

    def messages(self, request: Request) -> Response:
        account = request.args.get("account") or None
        found = self.world.backend.store.messages(account)
        return json_response({"messages": [message_json(m) for m in found]})

    def message(self, request: Request, message_id: str) -> Response:
        for candidate in self.world.backend.store.messages():
            if candidate.id == message_id.lower():
                return json_response(message_json(candidate))
        raise NotFound(f"no message with id {message_id}")

    def journal(self, request: Request) -> Response:
        entries = self.world.journal.entries(request.args.get("account") or None)
        return json_response({"entries": [e.to_json() for e in entries]})

    def reset(self, request: Request) -> Response:
        document = _json_body(request)
        account = document.get("account")
        if account is not None and not isinstance(account, str):
            return json_error(400, '"account" must be a string')
        self.world.reset(account)
        return json_response({"reset": account or "all"})


def _json_body(request: Request) -> dict[str, Any]:
    raw = request.get_data(as_text=True).strip()
    if not raw:
        return {}
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        raise _BadRequest(f"the body is not JSON: {error}") from error
    if not isinstance(document, dict):
        raise _BadRequest("the body must be a JSON object")
    return document


class _BadRequest(HTTPException):
    code = 400
