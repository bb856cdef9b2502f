"""Routing: /_mock/ to the control API, the DQE paths to DQE, everything else to SOAP.

Any path the mock does not reserve answers as the SOAP endpoint, so that a client
configured with the production address works by changing host and port only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from werkzeug.wrappers import Request, Response

from mock_efidem.control.api import PREFIX, ControlApi, json_error
from mock_efidem.dqe import DEFAULT_DQE_CONFIG, DqeEndpoints, is_dqe_path
from mock_efidem.soap.endpoint import SoapEndpoint, StartResponse, WSGIEnvironment
from mock_efidem.world import World

logger = logging.getLogger(__name__)


class MockApplication:
    """The WSGI application of one mock instance."""

    def __init__(self, world: World, public_url: str) -> None:
        self.world = world
        self.soap = SoapEndpoint(
            lambda: world.backend, world.journal, world.settings.namespace, public_url
        )
        self.control = ControlApi(world)
        self.dqe = DqeEndpoints(
            world.journal, lambda: getattr(world, "dqe_config", DEFAULT_DQE_CONFIG)
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == PREFIX or path.startswith(PREFIX + "/"):
            return self._control(environ, start_response)
        if is_dqe_path(path):
            return self.dqe(environ, start_response)
        return self.soap(environ, start_response)

    def _control(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.control.dispatch(request)
        except Exception:
            logger.exception("control API call failed")
            response = json_error(500, "internal error; see the mock's log")
        return Response.force_type(response)(environ, start_response)
