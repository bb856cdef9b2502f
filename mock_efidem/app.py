"""Routing: /_mock/ to the control API, the DQE paths to DQE, everything else to SOAP.

Any path the mock does not reserve answers as the SOAP endpoint, so that a client
configured with the production address works by changing host and port only. Every
call passes the recorder (the journal and the access log); SOAP and DQE calls pass
through the scenario's faults on their way in.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from werkzeug.wrappers import Request, Response

from mock_efidem.control.answers import json_error
from mock_efidem.control.api import PREFIX, ControlApi
from mock_efidem.control.waiting import WaitingRoom
from mock_efidem.domain.store import StoreUnavailable
from mock_efidem.dqe.paths import is_dqe_path
from mock_efidem.recording import Recorder, read_body, record_of
from mock_efidem.scenario.model import CallFacts
from mock_efidem.soap.endpoint import SoapEndpoint, soap_fault, version_of
from mock_efidem.soap.service import FACTS_KEY
from mock_efidem.traffic import FaultInjector, dqe_facts, soap_facts
from mock_efidem.world import World
from mock_efidem.wsgi import StartResponse, WsgiApp, WSGIEnvironment

logger = logging.getLogger(__name__)


class MockApplication:
    """The WSGI application of one mock instance."""

    def __init__(
        self,
        world: World,
        public_url: str | None = None,
        waiting_room: WaitingRoom | None = None,
        stream_room: WaitingRoom | None = None,
    ) -> None:
        """``public_url``: the address the WSDL announces; None takes each request's.
        ``waiting_room`` and ``stream_room`` seat long polls and event streams."""
        self.world = world
        settings = world.settings
        self.soap = SoapEndpoint(world, settings.namespace, public_url, settings.public_host)
        self.control = ControlApi(world, waiting_room, stream_room)
        self._dqe: WsgiApp | None = None
        self.faults = FaultInjector(world)
        self._recorder = Recorder(lambda: world.journal, self._route, protocol_of)

    @property
    def dqe(self) -> WsgiApp:
        """DQE's endpoints, made at the first DQE call (their libraries load then)."""
        if self._dqe is None:
            from mock_efidem.dqe.http import DqeEndpoints

            world = self.world
            self._dqe = DqeEndpoints(lambda: world.dqe_config)
        return self._dqe

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            self.world.sync()
            return self._recorder(environ, start_response)
        except StoreUnavailable as error:
            return self._unavailable(environ, start_response, error)

    def _unavailable(
        self, environ: WSGIEnvironment, start_response: StartResponse, error: StoreUnavailable
    ) -> Iterable[bytes]:
        """The store is unreachable: each protocol says so its own way (not journalled:
        the journal is in the store). The WSDL needs no store: it is served."""
        protocol = protocol_of(environ)
        logger.warning("%s %s: %s", protocol, environ.get("PATH_INFO", ""), error)
        answer: WsgiApp
        if protocol == "control":
            answer = json_error(503, str(error))
        elif protocol == "dqe":
            answer = self.dqe_unavailable
        elif protocol == "wsdl":
            answer = self.soap
        else:
            answer = soap_fault("Server", str(error), version=version_of(environ))
        return answer(environ, _restarting(start_response))

    @property
    def dqe_unavailable(self) -> WsgiApp:
        """DQE as its scenario fault ``service_unavailable`` has it: lookups answer
        IdError 99, MAILSUGGEST a 503."""
        from mock_efidem.dqe.http import DqeEndpoints

        world = self.world
        return DqeEndpoints(lambda: replace(world.dqe_config, service_unavailable=True))

    def _route(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        protocol = protocol_of(environ)
        if protocol == "control":
            return self._control(environ, start_response)
        if protocol == "dqe":
            return self._dqe_call(environ, start_response)
        if protocol == "soap":
            call = self.soap.parsed_call(environ, read_body(environ))
            _note_facts(environ, soap_facts(call))
            return self.faults(environ, start_response, self.soap)
        record = record_of(environ)
        if record is not None:
            record.operation = environ.get("REQUEST_METHOD", "")
        return self.soap(environ, start_response)

    def _dqe_call(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = read_body(environ)
        _note_facts(environ, dqe_facts(Request({**environ, "wsgi.input": io.BytesIO(body)})))
        return self.faults(environ, start_response, self.dqe)

    def _control(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.control.dispatch(request)
        except StoreUnavailable as error:
            response = json_error(503, str(error))
        except Exception:
            logger.exception("control API call failed")
            response = json_error(500, "internal error; see the mock's log")
        return Response.force_type(response)(environ, start_response)


def _restarting(start_response: StartResponse) -> StartResponse:
    """``start_response`` that may replace an answer begun before the store failed (the
    server sends nothing before the application returns)."""

    def restart(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return start_response(status, headers, exc_info or sys.exc_info())

    return restart


def protocol_of(environ: WSGIEnvironment) -> str:
    """What serves the request: ``control``, ``dqe``, ``soap`` (a call: a POST on any
    other path), or ``wsdl`` (any other method there: the WSDL, or what the endpoint is)."""
    path = environ.get("PATH_INFO", "") or "/"
    if path == PREFIX or path.startswith(PREFIX + "/"):
        return "control"
    if is_dqe_path(path):
        return "dqe"
    return "soap" if environ.get("REQUEST_METHOD") == "POST" else "wsdl"


def _note_facts(environ: WSGIEnvironment, facts: CallFacts) -> None:
    """The call's facts, for the scenario's rules and for the journal."""
    environ[FACTS_KEY] = facts
    record = record_of(environ)
    if record is not None:
        record.operation, record.account, record.fields = (
            facts.operation,
            facts.account,
            facts.values,
        )
