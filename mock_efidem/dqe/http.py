"""DQE over HTTP: /DQEEMAILLOOKUP/ and /MAILSUGGEST/, GET or POST form, JSONP, CORS.

Thin: reads DQE's parameters (names matched case-sensitively, as DQE spells
them), asks ``verdicts`` or ``suggest``, writes DQE's answer and tells the journal
its operation, licence and verdict.

Statuses: DQE's own answers, verdicts and ``** LICENCE KO **`` alike, are 200 JSON;
``callback=fn`` turns them into ``fn(...);`` JavaScript. The exceptions: a wrong
lookup licence is a bare ``unauthorized_client`` with 401, as the OAuth-style
error it is; MAILSUGGEST without a licence is 400 and with a wrong one an empty
200; a bad callback name is 400; a CORS preflight is 204. The README's DQE
section has the full table.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from mock_efidem.dqe.config import DqeConfig
from mock_efidem.dqe.paths import (  # noqa: F401  (re-exported: dqe.http's former names)
    DQE_OPERATIONS,
    DQE_PATHS,
    FAULT_LATENCY_KEY,
    LOOKUP,
    SUGGEST,
    is_dqe_path,
)
from mock_efidem.dqe.suggest import suggestions, syntax
from mock_efidem.dqe.verdicts import LookupOptions, Verdict, lookup, timed_out
from mock_efidem.recording import record_of

logger = logging.getLogger(__name__)

LICENCE_KO = "** LICENCE KO **"
UNAUTHORIZED = "unauthorized_client"
JSON_TYPE = "application/json; charset=utf-8"
JSONP_TYPE = "application/javascript; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"

_YES = frozenset({"y", "yes", "o", "oui", "1", "true"})
_NO = frozenset({"n", "no", "non", "0", "false"})
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_CALLBACK_MAX = 128

Params = Mapping[str, str]


class DqeEndpoints:
    """The two DQE endpoints as one WSGI application; the config is read per call."""

    def __init__(self, config: Callable[[], DqeConfig]) -> None:
        self.config = config

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except HTTPException as refused:  # the request itself: e.g. 1,000+ form parts
            response = _json_error(refused.code or 400, refused.description or refused.name)
            response.headers.update(_cors_headers(request))
        except Exception:  # a bug of ours must still answer, and in JSON
            logger.exception("DQE call failed")
            response = _json_error(500, "internal error; see the mock's log")
            response.headers.update(_cors_headers(request))
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        response = self._answer(request)
        response.headers.update(_cors_headers(request))
        return response

    def _answer(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return _preflight()
        if request.method not in ("GET", "HEAD", "POST"):
            return _method_not_allowed(request.method)
        operation = DQE_OPERATIONS.get(request.path)
        if operation is None:
            return _json_error(404, f"no DQE endpoint at {request.path}")
        params = request.values
        response, result = self._call(
            operation, params, request.environ.get(FAULT_LATENCY_KEY, 0.0)
        )
        record = record_of(request.environ)
        if record is not None:
            record.operation, record.account = operation, params.get("Licence", "")
            record.result = result
        return response

    def _call(
        self, operation: str, params: Params, extra_latency: float = 0.0
    ) -> tuple[Response, str]:
        """The callback name checked, then the operation: DQE's answer and its verdict."""
        callback = params.get("callback", "")
        if callback and not _valid_callback(callback):
            response, result = _json_error(400, "callback must be a JavaScript name"), "400"
        elif operation == LOOKUP:
            response, result = self._lookup(params, callback, extra_latency)
        else:
            response, result = self._suggest(params, callback, extra_latency)
        return response, result

    def _lookup(self, params: Params, callback: str, extra_latency: float) -> tuple[Response, str]:
        config = self.config()
        email, licence = params.get("Email"), params.get("Licence", "")
        if not licence.strip():
            document = _lookup_document(Verdict(LICENCE_KO, ""), email or "", None)
            return _json(document, callback), "LICENCE KO"
        level = config.level_of(licence)
        if level is None:
            return Response(UNAUTHORIZED, 401, content_type=TEXT_TYPE), UNAUTHORIZED
        if _wait(config.latency_seconds + extra_latency, _timeout(params.get("TimeOut"))):
            verdict = timed_out(email or "")
        else:
            verdict = lookup(email, _options(params), config)
        document = _lookup_document(verdict, email or "", level)
        return _json(document, callback), verdict.id_error

    def _suggest(self, params: Params, callback: str, extra_latency: float) -> tuple[Response, str]:
        config = self.config()
        licence = params.get("Licence", "")
        if not licence.strip():
            return _json_error(400, "Licence missing or empty", callback), "400"
        if config.level_of(licence) is None:
            return Response("", 200, content_type=TEXT_TYPE), UNAUTHORIZED
        _wait(config.latency_seconds + extra_latency, None)
        if config.service_unavailable:
            return _json_error(503, "service unavailable", callback), "503"
        verdict = syntax(params.get("Email", ""))
        document = {
            "Instance": params.get("Instance") or "0",
            "suggest": suggestions(params.get("Prenom", ""), params.get("Nom", "")),
            "syntaxe": verdict,
        }
        return _json(document, callback), verdict


def _preflight() -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _method_not_allowed(method: str) -> Response:
    response = _json_error(405, f"HTTP method {method} is not served here")
    response.headers["Allow"] = "GET, HEAD, POST, OPTIONS"
    return response


def _options(params: Params) -> LookupOptions:
    return LookupOptions(
        rectify=_flag(params.get("Rectify"), default=False),
        check_user=_flag(params.get("checkuser"), default=True),
        extended_syntax=_flag(params.get("extendedsyntax"), default=False),
    )


def _flag(value: str | None, default: bool) -> bool:
    """y/n, 1/0 (and yes/no, oui/non, true/false), any case; anything else: the default."""
    word = (value or "").strip().lower()
    if word in _YES:
        return True
    return False if word in _NO else default


def _timeout(value: str | None) -> float | None:
    """TimeOut in seconds ("0.5" or "0,5"); None when absent or unreadable."""
    try:
        seconds = float((value or "").strip().replace(",", "."))
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _wait(latency: float, timeout: float | None) -> bool:
    """Sleep the simulated latency, cut at the caller's TimeOut; True when cut."""
    if timeout is not None and latency > timeout:
        time.sleep(timeout)
        return True
    if latency > 0:
        time.sleep(latency)
    return False


def _lookup_document(verdict: Verdict, origin: str, level: int | None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "Redressement": 1 if verdict.rectified else 0,
        "eMailOrigine": origin,
        "IdError": verdict.id_error,
        "eMail": verdict.email,
    }
    if level == 2 and verdict.activity is not None:
        answer["CodeActivite"] = verdict.activity
    return {"1": answer}


def _valid_callback(name: str) -> bool:
    return len(name) <= _CALLBACK_MAX and _CALLBACK.fullmatch(name) is not None


def _json(document: Any, callback: str = "", status: int = 200) -> Response:
    body = json.dumps(document, ensure_ascii=False)
    if callback:
        return Response(f"{callback}({body});", status, content_type=JSONP_TYPE)
    return Response(body, status, content_type=JSON_TYPE)


def _json_error(status: int, message: str, callback: str = "") -> Response:
    return _json({"error": message, "status": status}, callback, status)


def _cors_headers(request: Request) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": request.headers.get(
            "Access-Control-Request-Headers", "Content-Type"
        ),
    }
