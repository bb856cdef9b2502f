"""What a scenario does to traffic: the facts of each call, and injected faults.

The facts (protocol, operation, account, channel, field values) are read once per
call and left in the WSGI environ, where the SOAP adapter finds them again to apply
forced responses. Faults act on the transport: latency, an HTTP answer, a SOAP
fault, a connection reset, an empty or a truncated response.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
import time
from collections.abc import Iterable
from typing import Any

from lxml import etree
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from mock_efidem.dqe.paths import DQE_OPERATIONS, FAULT_LATENCY_KEY
from mock_efidem.recording import CallRecord, record_of
from mock_efidem.scenario.model import CallFacts, FaultRule
from mock_efidem.soap.endpoint import soap_fault, version_of
from mock_efidem.soap.envelope import NotACall, SoapCall
from mock_efidem.soap.operations import WIRE_CHANNELS
from mock_efidem.soap.service import FACTS_KEY
from mock_efidem.world import World
from mock_efidem.wsgi import StartResponse, WsgiApp, WSGIEnvironment

SOCKET_KEY = "mock_efidem.socket"

logger = logging.getLogger(__name__)


def soap_facts(parsed: SoapCall | NotACall) -> CallFacts:
    """Operation, account and every leaf element's text, by element name."""
    if isinstance(parsed, NotACall) or parsed.call is None:
        return CallFacts("soap", "", "")
    values: dict[str, list[str]] = {}
    for element in parsed.call.iter(tag=etree.Element):
        if len(element) == 0:
            values.setdefault(etree.QName(element).localname, []).append(element.text or "")
    operation = parsed.operation
    account = (values.get("UTILISATEUR") or [""])[0]
    return CallFacts(
        "soap",
        operation,
        account,
        WIRE_CHANNELS.get(operation),
        {name: tuple(texts) for name, texts in values.items()},
    )


def dqe_facts(request: Request) -> CallFacts:
    """A form too big to read (1,000+ parts) has no facts but its operation: DQE's
    endpoint answers it."""
    operation = DQE_OPERATIONS.get(request.path, "")
    try:
        values = {name: tuple(request.values.getlist(name)) for name in request.values}
    except HTTPException:
        return CallFacts("dqe", operation, "")
    return CallFacts("dqe", operation, request.values.get("Licence", ""), None, values)


class FaultInjector:
    """Applies the world's scenario faults around a downstream WSGI application."""

    def __init__(self, world: World) -> None:
        self.world = world

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse, downstream: WsgiApp
    ) -> Iterable[bytes]:
        faults = self.world.faults
        facts = environ.get(FACTS_KEY)
        if not faults or not isinstance(facts, CallFacts):
            return downstream(environ, start_response)
        chosen = [f for f in faults if self.world.rules.applies(f, facts)]
        if not chosen:
            return downstream(environ, start_response)
        self._delay(chosen, facts, environ)
        effect = next((f for f in chosen if _has_effect(f)), None)
        if effect is None:  # latency only: the answer is the service's, and so is its why
            return downstream(environ, start_response)
        record = record_of(environ)
        if record is not None:
            record.why = self.world.rule_summary(effect)
        return self._effect(effect, environ, start_response, downstream)

    def _delay(self, chosen: list[FaultRule], facts: CallFacts, environ: WSGIEnvironment) -> None:
        latency = sum(
            f.latency.sample(self.world.rules.draw(f)) for f in chosen if f.latency is not None
        )
        if facts.protocol == "dqe":
            environ[FAULT_LATENCY_KEY] = latency  # DQE weighs it against the caller's TimeOut
        elif latency > 0:
            time.sleep(latency)

    def _effect(
        self,
        fault: FaultRule,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        downstream: WsgiApp,
    ) -> Iterable[bytes]:
        record = record_of(environ)
        if fault.reset:
            _note(record, "reset", "the connection was reset (RST) by a fault rule: no answer")
            if record is None:
                _reset_connection(environ)
            else:
                record.then.append(lambda: _reset_connection(environ))
            # The server writes this into the void and closes quietly.
            start_response("200 OK", [("Content-Length", "0")])
            return []
        if fault.empty:
            _note(record, "empty", "an empty answer, sent by a fault rule")
            return Response(b"", 200, content_type="text/xml; charset=utf-8")(
                environ, start_response
            )
        if fault.http is not None:
            answer = fault.http
            _note(record, str(answer.status), "")
            return Response(answer.body, answer.status, content_type=answer.content_type)(
                environ, start_response
            )
        if fault.soap_fault is not None:
            forced = fault.soap_fault
            _note(record, "fault", "")
            return soap_fault(forced.code, forced.message, version=version_of(environ))(
                environ, start_response
            )
        _note(record, "", "the answer was cut in the middle by a fault rule")
        cut = _truncated(environ, start_response, downstream)
        if record is not None:  # the rule cut the answer; what the answer said, and why
            answer_why, record.why = record.why, self.world.rule_summary(fault)
            if answer_why is not None and answer_why != record.why:
                record.why["answer"] = answer_why
        return cut


def _note(record: CallRecord | None, result: str, note: str) -> None:
    if record is not None:
        record.result = result or record.result
        record.note = note


def _has_effect(fault: FaultRule) -> bool:
    return bool(fault.reset or fault.empty or fault.truncate or fault.http or fault.soap_fault)


def _truncated(
    environ: WSGIEnvironment, start_response: StartResponse, downstream: WsgiApp
) -> Iterable[bytes]:
    """The real answer, cut in the middle: a client's XML parser must choke on it."""
    captured: dict[str, Any] = {}

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured.update(status=status, headers=headers)
        return lambda data: None

    body = b"".join(downstream(environ, capture))
    cut = body[: max(1, len(body) // 2)]
    headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
    start_response(captured["status"], [*headers, ("Content-Length", str(len(cut)))])
    return [cut]


def _reset_connection(environ: WSGIEnvironment) -> None:
    """Abort the TCP connection with a RST, as a crashed peer or a firewall would.

    With SO_LINGER at zero, closing the descriptor sends the RST. The server still
    holds that descriptor number, so it is replaced (dup2) by one end of a broken
    local pair: the server's last writes fail with EPIPE, which it ignores, and it
    closes what it believes is the connection.
    """
    connection = environ.get(SOCKET_KEY)
    if not isinstance(connection, socket.socket):
        logger.warning("connection reset asked, but the server gives no socket")
        return
    with contextlib.suppress(OSError):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        void, peer = socket.socketpair()
        peer.close()
        os.dup2(void.fileno(), connection.fileno())
        void.close()
