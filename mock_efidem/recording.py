"""The one seam every call passes through: it times the call, keeps its request and
its answer, and writes the journal entry and the access log line.

The adapters (SOAP, DQE, control, the fault injector) only say what they learnt: the
operation, the account, the result and why, on the ``CallRecord`` they find in the
WSGI environ. Everything else is read here from the HTTP exchange itself, so that no
path can answer without being journalled.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request as HttpRequest

from mock_efidem.domain.store import StoreUnavailable
from mock_efidem.journal import (
    Body,
    Fields,
    JournalEntry,
    JournalLike,
    Request,
    Response,
    kept_fields,
)
from mock_efidem.wsgi import BODY_KEY, RECORD_KEY, StartResponse, WsgiApp, WSGIEnvironment

access_log = logging.getLogger("mock_efidem.access")
logger = logging.getLogger(__name__)

_FAULT_CODE = re.compile(rb"<(?:\w+:)?(?:faultcode|Value)>([^<]{1,200})</", re.ASCII)
_FAULT_TEXT = re.compile(rb"<(?:\w+:)?(?:faultstring|Text)[^>]{0,200}>([^<]{0,500})</", re.ASCII)


@dataclass(slots=True)
class CallRecord:
    """What the adapters learn of one call while serving it."""

    protocol: str
    operation: str = ""
    account: str = ""
    result: str = ""
    """The vendor's answer: "ok", an error code, a DQE verdict; else the HTTP status."""
    value: str = ""
    why: dict[str, Any] | None = None
    message_ids: list[str] = field(default_factory=list)
    fields: Fields = field(default_factory=dict)
    note: str = ""
    quiet: bool = False
    """Reads of the journal itself and health checks: logged at DEBUG, not journalled."""
    stream: bool = False
    """The answer is a stream (live events): passed on as it comes, not kept, and
    journalled when it ends."""
    then: list[Callable[[], None]] = field(default_factory=list)
    """What is done to the transport once the call is journalled (a connection reset):
    a client that sees it, and asks the journal at once, finds the call there."""


def record_of(environ: Mapping[str, Any]) -> CallRecord | None:
    found = environ.get(RECORD_KEY)
    return found if isinstance(found, CallRecord) else None


class Recorder:
    """WSGI middleware in front of the whole mock."""

    def __init__(
        self,
        journal: Callable[[], JournalLike],
        downstream: WsgiApp,
        protocol_of: Callable[[WSGIEnvironment], str],
    ) -> None:
        """``journal`` is read per call (a reset may replace it); ``protocol_of`` names
        the protocol of a request, as the router will serve it."""
        self._journal, self._downstream, self._protocol_of = journal, downstream, protocol_of

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started, at = time.perf_counter(), datetime.now(UTC)
        journal = self._journal()
        generation = journal.generation
        body = read_body(environ)
        record = environ[RECORD_KEY] = CallRecord(self._protocol_of(environ))
        answer: dict[str, Any] = {}

        def finish(sent: bytes) -> None:
            entry = _entry(at, started, environ, body, answer, sent, journal.body_limit)
            if not record.quiet:
                _journal(journal, entry, generation)
            log_access(entry, logging.DEBUG if record.quiet else logging.INFO)
            for effect in record.then:
                effect()

        try:
            chunks = self._downstream(environ, _capturing(start_response, answer))
            if record.stream:
                record.note = "a stream of events: its body is not kept"
                return _Streamed(chunks, finish)
            sent = _joined(chunks)
        except BaseException:  # journalled even when it failed
            record.note = "the mock failed to answer: its log says why"
            finish(b"")
            raise
        finish(sent)
        return [sent]


def _journal(journal: JournalLike, entry: JournalEntry, generation: int) -> None:
    """Record the entry; a shared journal that became unreachable during the call loses
    it (the call itself was answered), and the log says so."""
    try:
        journal.record(entry, generation)
    except StoreUnavailable as error:
        logger.warning("call %s not journalled: %s", entry.id, error)


def _capturing(start_response: StartResponse, answer: dict[str, Any]) -> StartResponse:
    """``start_response``, also noting the status and headers in ``answer``."""

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer.update(status=status, headers=headers)
        return start_response(status, headers, exc_info)

    return capture


def _joined(chunks: Iterable[bytes]) -> bytes:
    """The downstream answer, whole."""
    try:
        return b"".join(chunks)
    finally:
        _close(chunks)


def _close(chunks: Iterable[bytes]) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


class _Streamed:
    """A streamed answer, passed on chunk by chunk; its call is journalled (and logged)
    when the server closes it, at its end or when its client left."""

    def __init__(self, chunks: Iterable[bytes], finish: Callable[[bytes], None]) -> None:
        self._chunks, self._finish = chunks, finish
        self._finished = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._chunks)

    def close(self) -> None:
        if self._finished:
            return
        self._finished = True
        try:
            _close(self._chunks)
        finally:
            self._finish(b"")


def _entry(
    at: datetime,
    started: float,
    environ: WSGIEnvironment,
    body: bytes,
    answer: Mapping[str, Any],
    sent: bytes,
    limit: int,
) -> JournalEntry:
    record = environ[RECORD_KEY]
    method, target = environ.get("REQUEST_METHOD", "GET"), _target(environ)
    request = Request(_request_headers(environ), Body.kept(body, limit), method, target)
    response = _response(answer, sent, record.note, limit)
    _fill_result(record, response.status, sent)
    return JournalEntry(
        id=0,  # the journal numbers it as it keeps it (a shared one: in the same script)
        at=at,
        protocol=record.protocol,
        operation=record.operation,
        account=record.account,
        result=record.result,
        duration_ms=(time.perf_counter() - started) * 1000,
        client=str(environ.get("REMOTE_ADDR", "")),
        request=request,
        response=response,
        value=record.value[:200],
        why=record.why,
        message_ids=tuple(record.message_ids),
        fields=kept_fields(record.fields, len(body)),
    )


def read_body(environ: WSGIEnvironment) -> bytes:
    """The request body, read once: endpoints find it in the environ, and a fresh stream."""
    body = environ.get(BODY_KEY)
    if not isinstance(body, bytes):
        body = _read(environ)
        environ[BODY_KEY] = body
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _read(environ: WSGIEnvironment) -> bytes:
    """waitress gives every body a length (it has read a chunked one whole, and says
    so with ``wsgi.input_terminated``); other servers go through werkzeug's checks."""
    stream, length = environ.get("wsgi.input"), environ.get("CONTENT_LENGTH") or "0"
    if stream is not None and environ.get("wsgi.input_terminated") and length.isdigit():
        return bytes(stream.read(int(length)))
    return HttpRequest(environ).get_data()


def _path(environ: WSGIEnvironment) -> str:
    return environ.get("PATH_INFO", "") or "/"


def _target(environ: WSGIEnvironment) -> str:
    query = environ.get("QUERY_STRING", "")
    return f"{environ.get('SCRIPT_NAME', '')}{_path(environ)}{'?' + query if query else ''}"


def _request_headers(environ: WSGIEnvironment) -> tuple[tuple[str, str], ...]:
    """As the environ names them (``HTTP_USER_AGENT``): spelt out when shown."""
    return tuple(
        (key, str(value))
        for key, value in environ.items()
        if key.startswith("HTTP_") or (key in _CONTENT_KEYS and value)
    )


_CONTENT_KEYS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


def _response(answer: Mapping[str, Any], sent: bytes, note: str, limit: int) -> Response:
    status_line = str(answer.get("status", "500"))
    status = int(status_line.split(" ", 1)[0]) if status_line[:3].isdigit() else 500
    headers = tuple((str(k), str(v)) for k, v in answer.get("headers", ()))
    return Response(headers, Body.kept(sent, limit), status, note)


def _fill_result(record: CallRecord, status: int, sent: bytes) -> None:
    """A result the adapter did not give: a SOAP fault's code, else the HTTP status."""
    if record.result:
        return
    fault = _FAULT_CODE.search(sent) if status >= 500 and record.protocol == "soap" else None
    if fault is None:
        record.result = str(status)
        return
    record.result = "fault"
    if record.why is None:
        text = _FAULT_TEXT.search(sent)
        record.why = {
            "fault": fault.group(1).decode("ascii", "replace"),
            "message": text.group(1).decode("utf-8", "replace") if text else "",
        }


def log_access(entry: JournalEntry, level: int) -> None:
    """One line a person reads: ``ENVOYER_EMAIL demo -> -9 (DESTINATION malformed) 2.1 ms``."""
    if not access_log.isEnabledFor(level):
        return
    who = f" {entry.account}" if entry.account else ""
    because = f" ({explain(entry.why)})" if entry.why else ""
    shown = entry.http_status in (200, int(entry.result) if entry.result.isdigit() else 200)
    status = "" if shown else f" [HTTP {entry.http_status}]"
    access_log.log(
        level,
        "%s %s %s%s -> %s%s%s %.1f ms",
        entry.client or "-",
        entry.protocol,
        entry.operation or entry.request.target,
        who,
        entry.result,
        because,
        status,
        entry.duration_ms,
        extra={"access": entry},  # the JSON form's keys, made only if it is used
    )


def explain(why: Mapping[str, Any]) -> str:
    """A ``why`` in a few words."""
    if "field" in why:
        return f"{why['field']} {why.get('meaning', '')}".strip()
    if "rule" in why:
        return f"{why.get('section', 'rule')} rule {why['rule']}"
    if "fault" in why:
        return f"{why['fault']}: {why.get('message', '')}"
    return str(why.get("meaning", ""))
