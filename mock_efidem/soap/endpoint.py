"""The SOAP endpoint as a WSGI application: WSDL on GET, spyne on POST.

Requests in SOAP 1.1 or 1.2, in any namespace, are parsed once here and adapted to
what spyne serves (``envelope``); spyne's answer goes back in the caller's version and
namespace. What is not a SOAP call at all gets a fault a person can read, never a
Python traceback.
"""

from __future__ import annotations

import io
import logging
import math
import threading
from collections.abc import Iterable
from typing import Any

import spyne.const
from lxml import etree
from spyne.server.wsgi import WsgiApplication
from werkzeug.wrappers import Request, Response

from mock_efidem.control.inbox.home import home_page
from mock_efidem.control.inbox.html import SECURITY_HEADERS
from mock_efidem.soap.envelope import (
    PARSED_CALL_KEY,
    NotACall,
    SoapCall,
    SoapVersion,
    fault_document,
    parse_call,
    to_served,
    version_of_content_type,
)
from mock_efidem.soap.service import SoapWorld, build_application
from mock_efidem.soap.wsdl import ADDRESS_PLACEHOLDER, WsdlDocument, asmx_wsdl
from mock_efidem.wsgi import BODY_KEY, StartResponse, WSGIEnvironment

MAX_BODY_BYTES = 32 * 1024 * 1024
HOME_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}

# spyne runs a full gc.collect() after a call at most once a second, in the request
# path: with a million stored messages that is a half-second stall. Python's own
# generational collections are enough for what a call leaves behind.
spyne.const.MIN_GC_INTERVAL = math.inf

for _noisy in ("spyne.application.client", "spyne.server._base", "spyne.protocol.soap.soap11"):
    # spyne logs every client fault with a traceback; the fault answer says it all.
    logging.getLogger(_noisy).setLevel(logging.CRITICAL)


class _QuietClientFaults(logging.Filter):
    """spyne's WSGI server logs a caller's bad value (a Client fault) as an ERROR."""

    def filter(self, record: logging.LogRecord) -> bool:
        fault = record.msg
        return not str(getattr(fault, "faultcode", "")).startswith("Client")


logging.getLogger("spyne.server.wsgi").addFilter(_QuietClientFaults())


def soap_fault(
    code: str, message: str, status: int = 500, version: SoapVersion = SoapVersion.SOAP11
) -> Response:
    """A fault answer; ``code`` is SOAP 1.1's (Client, Server, VersionMismatch)."""
    return Response(
        fault_document(code, message, version), status=status, content_type=version.content_type
    )


def version_of(environ: WSGIEnvironment) -> SoapVersion:
    """The SOAP version of the request: its envelope's, else its content type's."""
    parsed = environ.get(PARSED_CALL_KEY)
    if isinstance(parsed, SoapCall | NotACall):
        return parsed.version
    return version_of_content_type(environ.get("CONTENT_TYPE", ""))


class SoapEndpoint:
    def __init__(
        self, world: SoapWorld, namespace: str, public_url: str | None, own_host: str
    ) -> None:
        """``public_url`` fixes the address the WSDL announces; None takes each request's
        (``own_host``, the server's, when the request names no usable host)."""
        self.namespace = namespace
        self.application = build_application(world, namespace)
        self._spyne = WsgiApplication(self.application, max_content_length=MAX_BODY_BYTES)
        self._public_url, self._own_host = public_url, own_host
        self._wsdl: WsdlDocument | None = None
        self._wsdl_lock = threading.Lock()
        # spyne's parser options (entities and DTDs off), with libxml2's limit on one text
        # node lifted: an attachment may fill the whole body. The element count is
        # bounded before parsing (envelope.MAX_TAGS), the depth by libxml2 (2,048).
        options = {**self.application.in_protocol.parser_kwargs, "huge_tree": True}
        self._parser = etree.XMLParser(**options)

    @property
    def wsdl(self) -> WsdlDocument:
        """Made at the first WSDL request: start-up need not wait for it."""
        with self._wsdl_lock:
            if self._wsdl is None:
                self._spyne.doc.wsdl11.build_interface_document(ADDRESS_PLACEHOLDER)
                document = self._spyne.doc.wsdl11.get_interface_document()
                template = asmx_wsdl(document, self.namespace)
                self._wsdl = WsdlDocument(template, self._public_url, self._own_host)
            return self._wsdl

    def parsed_call(self, environ: WSGIEnvironment, body: bytes) -> SoapCall | NotACall:
        """The request's body parsed (once: kept in the environ for spyne and the traffic
        layer), or why it is not a SOAP call."""
        parsed = environ.get(PARSED_CALL_KEY)
        if not isinstance(parsed, SoapCall | NotACall):
            try:
                parsed = parse_call(body, self._parser, environ.get("CONTENT_TYPE", ""))
            except NotACall as problem:
                parsed = problem
            environ[PARSED_CALL_KEY] = parsed
        return parsed

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            return self._call_spyne(environ, start_response)
        request = Request(environ)
        if request.method == "GET" and _asks_for_wsdl(request):
            response = Response(
                self.wsdl.for_request(environ), content_type="text/xml; charset=utf-8"
            )
        elif request.method in ("GET", "HEAD") and request.path == "/":
            response = Response(
                home_page(), content_type="text/html; charset=utf-8", headers=HOME_HEADERS
            )
        elif request.method in ("GET", "HEAD"):
            response = Response(
                "mock-efidem SOAP endpoint: POST SOAP 1.1 or 1.2 envelopes here; "
                "GET ?wsdl for the WSDL\n",
                content_type="text/plain; charset=utf-8",
            )
        else:
            response = soap_fault(
                "Client",
                f"HTTP method {request.method} is not served here",
                405,
                version_of(environ),
            )
        return response(environ, start_response)

    def _call_spyne(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        body = environ.get(BODY_KEY)
        if not isinstance(body, bytes):
            body = Request(environ).get_data()
        parsed = self.parsed_call(environ, body)
        if isinstance(parsed, NotACall):
            return soap_fault(parsed.code, parsed.message, version=parsed.version)(
                environ, start_response
            )
        to_served(parsed, self.namespace)
        environ = _with_body(environ, body)
        try:
            return list(self._spyne(environ, _answering_in(parsed.version, start_response)))
        except Exception as error:  # a bug of ours must still answer as SOAP
            logging.getLogger(__name__).exception("SOAP call failed")
            problem = f"internal error: {type(error).__name__}"
            fault = soap_fault("Server", problem, 500, parsed.version)
            return fault(environ, start_response)


def _answering_in(version: SoapVersion, start_response: StartResponse) -> StartResponse:
    """spyne names SOAP 1.1's content type; a SOAP 1.2 answer needs its own."""
    if version is SoapVersion.SOAP11:
        return start_response

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
        return start_response(status, [*headers, ("Content-Type", version.content_type)], exc_info)

    return start


def _asks_for_wsdl(request: Request) -> bool:
    return any(key.lower() == "wsdl" for key in request.args)


def _with_body(environ: WSGIEnvironment, body: bytes) -> WSGIEnvironment:
    copied = dict(environ)
    copied["wsgi.input"] = io.BytesIO(body)
    copied["CONTENT_LENGTH"] = str(len(body))
    # spyne reads the tree parsed here; the content type only has to satisfy it.
    copied["CONTENT_TYPE"] = "text/xml; charset=utf-8"
    return copied
