"""The SOAP endpoint as a WSGI application: WSDL on GET, spyne on POST.

What is not a SOAP call at all gets a SOAP 1.1 fault a person can read, never a
Python traceback.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from spyne.server.wsgi import WsgiApplication
from werkzeug.wrappers import Request, Response

from mock_efidem.soap.service import SoapWorld, build_application

WSGIEnvironment = dict[str, Any]
StartResponse = Callable[..., Any]

MAX_BODY_BYTES = 32 * 1024 * 1024
SOAP_ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"

# The annex tables spell the trio's third member ApplID; accepting it is a kindness.
_APPLID_TAG = re.compile(rb"<(/?)((?:[\w.-]+:)?)ApplID\b")

for _noisy in ("spyne.application.client", "spyne.server._base", "spyne.protocol.soap.soap11"):
    # spyne logs every client fault with a traceback; the fault answer says it all.
    logging.getLogger(_noisy).setLevel(logging.CRITICAL)


def soap_fault(code: str, message: str, status: int = 500) -> Response:
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENVELOPE_NS}"><soap:Body><soap:Fault>'
        f"<faultcode>soap:{code}</faultcode><faultstring>{escape(message)}</faultstring>"
        "<detail/></soap:Fault></soap:Body></soap:Envelope>"
    )
    return Response(body, status=status, content_type="text/xml; charset=utf-8")


class SoapEndpoint:
    def __init__(self, world: SoapWorld, namespace: str, public_url: str) -> None:
        self.application = build_application(world, namespace)
        self._spyne = WsgiApplication(self.application, max_content_length=MAX_BODY_BYTES)
        self._spyne.doc.wsdl11.build_interface_document(public_url)
        self.wsdl = _pretty(self._spyne.doc.wsdl11.get_interface_document())

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.method == "GET" and _asks_for_wsdl(request):
            response = Response(self.wsdl, content_type="text/xml; charset=utf-8")
        elif request.method == "POST":
            return self._call_spyne(request, environ, start_response)
        elif request.method in ("GET", "HEAD"):
            response = Response(
                "mock-efidem SOAP endpoint: POST SOAP 1.1 envelopes here; GET ?wsdl for the WSDL\n",
                content_type="text/plain; charset=utf-8",
            )
        else:
            response = soap_fault("Client", f"HTTP method {request.method} is not served here", 405)
        return response(environ, start_response)

    def _call_spyne(
        self, request: Request, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        body = request.get_data(cache=True)
        problem = _not_a_soap_call(body)
        if problem:
            return soap_fault("Client", problem)(environ, start_response)
        if b"ApplID" in body:
            body = _APPLID_TAG.sub(rb"<\1\2AppID", body)
        environ = _with_body(environ, body)
        try:
            return list(self._spyne(environ, start_response))
        except Exception as error:  # a bug of ours must still answer as SOAP
            logging.getLogger(__name__).exception("SOAP call failed")
            return soap_fault("Server", f"internal error: {type(error).__name__}")(
                environ, start_response
            )


def _pretty(document: bytes) -> bytes:
    """Indented and in a stable order, so that the committed copy in wsdl/ reads and
    diffs well: spyne's order of schema types varies with how the process started."""
    tree = etree.fromstring(document, parser=etree.XMLParser(remove_blank_text=True))
    for schema in tree.iter("{http://www.w3.org/2001/XMLSchema}schema"):
        schema[:] = sorted(schema, key=_schema_order)
    return bytes(etree.tostring(tree, pretty_print=True, xml_declaration=True, encoding="UTF-8"))


def _schema_order(node: etree._Element) -> tuple[bool, str, str]:
    local_name = etree.QName(node).localname
    return (local_name != "import", local_name, node.get("name") or "")


def _asks_for_wsdl(request: Request) -> bool:
    return any(key.lower() == "wsdl" for key in request.args)


def _not_a_soap_call(body: bytes) -> str | None:
    """A readable reason when the body cannot be a SOAP envelope, before spyne sees it."""
    if not body.strip():
        return "empty request: POST a SOAP 1.1 envelope"
    if b"Envelope" not in body:
        return "the request body is not a SOAP envelope (no Envelope element)"
    return None


def _with_body(environ: WSGIEnvironment, body: bytes) -> WSGIEnvironment:
    copied = dict(environ)
    copied["wsgi.input"] = io.BytesIO(body)
    copied["CONTENT_LENGTH"] = str(len(body))
    if "xml" not in copied.get("CONTENT_TYPE", ""):
        # Lenient like most SOAP stacks: a missing or odd content type is read as XML.
        copied["CONTENT_TYPE"] = "text/xml; charset=utf-8"
    return copied
