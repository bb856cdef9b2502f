"""Routing: /_mock/ to the control API, the DQE paths to DQE, everything else to SOAP.

Any path the mock does not reserve answers as the SOAP endpoint, so that a client
configured with the production address works by changing host and port only. SOAP
and DQE calls pass through the scenario's faults on their way in.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from mock_efidem.control.answers import json_error
from mock_efidem.control.api import PREFIX, ControlApi
from mock_efidem.control.waiting import WaitingRoom
from mock_efidem.dqe.paths import is_dqe_path
from mock_efidem.soap.endpoint import BODY_KEY, SoapEndpoint, StartResponse, WSGIEnvironment
from mock_efidem.traffic import FaultInjector, WsgiApp, dqe_facts, soap_facts
from mock_efidem.world import World

logger = logging.getLogger(__name__)


class MockApplication:
    """The WSGI application of one mock instance."""

    def __init__(
        self,
        world: World,
        public_url: str | None = None,
        waiting_room: WaitingRoom | None = None,
    ) -> None:
        """``public_url``: the address the WSDL announces; None takes each request's."""
        self.world = world
        settings = world.settings
        self.soap = SoapEndpoint(world, settings.namespace, public_url, settings.public_host)
        self.control = ControlApi(world, waiting_room)
        self._dqe: WsgiApp | None = None
        self.faults = FaultInjector(world)

    @property
    def dqe(self) -> WsgiApp:
        """DQE's endpoints, made at the first DQE call (their libraries load then)."""
        if self._dqe is None:
            from mock_efidem.dqe.http import DqeEndpoints

            world = self.world
            self._dqe = DqeEndpoints(world.journal, lambda: world.dqe_config)
        return self._dqe

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == PREFIX or path.startswith(PREFIX + "/"):
            return self._control(environ, start_response)
        if is_dqe_path(path):
            return self._dqe_call(environ, start_response)
        if environ.get("REQUEST_METHOD") == "POST":
            call = self.soap.parsed_call(environ, _read_body(environ))
            return self.faults(lambda: soap_facts(call), environ, start_response, self.soap)
        return self.soap(environ, start_response)

    def _dqe_call(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ)
        try:
            return self.faults(
                lambda: dqe_facts(Request({**environ, "wsgi.input": io.BytesIO(body)})),
                environ,
                start_response,
                self.dqe,
            )
        except HTTPException as refused:  # e.g. a form of more than 1,000 parts
            answer = Response(refused.description, refused.code, content_type="text/plain")
            return answer(environ, start_response)

    def _control(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.control.dispatch(request)
        except Exception:
            logger.exception("control API call failed")
            response = json_error(500, "internal error; see the mock's log")
        return Response.force_type(response)(environ, start_response)


def _read_body(environ: WSGIEnvironment) -> bytes:
    """Read the body once: the endpoints find it in the environ, and a fresh stream."""
    body = Request(environ).get_data()
    environ[BODY_KEY] = body
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body
