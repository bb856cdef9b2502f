"""The WSDL as an ASMX service publishes it, and the address it announces.

spyne writes one SOAP 1.1 binding whose soapAction is the bare operation name. ASMX
publishes two bindings (Soap and Soap12) on two ports with one address, and a
soapAction of namespace + operation: ``asmx_wsdl`` makes spyne's document so.

The address is the one the caller used to fetch the WSDL (scheme, Host, path, or the
``X-Forwarded-*`` headers of a proxy), so that a client in another container follows
it to the right place; ``--public-url`` wins over all of them.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import quoteattr

from lxml import etree

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12_NS = "http://schemas.xmlsoap.org/wsdl/soap12/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
SOAP12_SUFFIX = "Soap12"

ADDRESS_PLACEHOLDER = "http://address.mock-efidem.invalid/soap"
"""The address spyne is given; each request gets the document with its own address."""

_HOST = re.compile(r"(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_PREFIX = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*")
_ADDRESS_CACHE_SIZE = 64


def asmx_wsdl(document: bytes, namespace: str) -> bytes:
    """spyne's WSDL with ASMX's soapActions and SOAP 1.2 binding, indented, in a stable
    order (so that the committed copy in wsdl/ reads and diffs well)."""
    tree = etree.fromstring(document, parser=etree.XMLParser(remove_blank_text=True))
    for schema in tree.iter(f"{{{XSD_NS}}}schema"):
        # spyne's order of schema types varies with how the process started.
        schema[:] = sorted(schema, key=_schema_order)
    for operation in tree.iter(f"{{{WSDL_SOAP11_NS}}}operation"):
        operation.set("soapAction", namespace + operation.getparent().get("name"))
    _add_soap12(tree)
    return bytes(etree.tostring(tree, pretty_print=True, xml_declaration=True, encoding="UTF-8"))


def _schema_order(node: Any) -> tuple[bool, str, str]:
    local_name = etree.QName(node).localname
    return (local_name != "import", local_name, node.get("name") or "")


def _add_soap12(tree: Any) -> None:
    """A second binding and port, in SOAP 1.2, beside each SOAP 1.1 one."""
    prefix = _tns_prefix(tree)
    for binding in tree.findall(f"{{{WSDL_NS}}}binding"):
        soap12 = copy.deepcopy(binding)
        soap12.set("name", binding.get("name") + SOAP12_SUFFIX)
        for element in soap12.iter(f"{{{WSDL_SOAP11_NS}}}*"):
            element.tag = f"{{{WSDL_SOAP12_NS}}}{etree.QName(element).localname}"
        binding.addnext(soap12)
    for port in tree.iter(f"{{{WSDL_NS}}}port"):
        soap12 = copy.deepcopy(port)
        soap12.set("name", port.get("name") + SOAP12_SUFFIX)
        soap12.set("binding", f"{prefix}:{port.get('binding').split(':')[-1]}{SOAP12_SUFFIX}")
        for element in soap12.iter(f"{{{WSDL_SOAP11_NS}}}address"):
            element.tag = f"{{{WSDL_SOAP12_NS}}}address"
        port.addnext(soap12)


def _tns_prefix(tree: Any) -> str:
    namespace = tree.get("targetNamespace")
    return str(next(p for p, uri in tree.nsmap.items() if uri == namespace and p))


class WsdlDocument:
    """The served WSDL, made once, with the address of each request put in."""

    def __init__(self, template: bytes, public_url: str | None, own_host: str) -> None:
        """``own_host``: the host the server answers on, for a request with no usable Host."""
        self._template = template
        self.public_url = public_url
        self.own_host = own_host
        self.for_address = lru_cache(maxsize=_ADDRESS_CACHE_SIZE)(self._for_address)

    def _for_address(self, address: str) -> bytes:
        return self._template.replace(
            f'location="{ADDRESS_PLACEHOLDER}"'.encode(),
            b"location=" + quoteattr(address).encode("utf-8"),
        )

    def for_request(self, environ: dict[str, Any]) -> bytes:
        return self.for_address(self.public_url or request_address(environ, self.own_host))


def request_address(environ: dict[str, Any], own_host: str) -> str:
    """The URL the request was sent to, as the client (or its proxy) wrote it."""
    scheme = _first(environ.get("HTTP_X_FORWARDED_PROTO")).lower()
    if scheme not in ("http", "https"):
        scheme = environ.get("wsgi.url_scheme", "http")
    host = _first(environ.get("HTTP_X_FORWARDED_HOST")) or environ.get("HTTP_HOST", "")
    if not _HOST.fullmatch(host):
        host = f"{own_host}:{environ.get('SERVER_PORT', '80')}"
    prefix = _first(environ.get("HTTP_X_FORWARDED_PREFIX")).rstrip("/")
    if prefix and not prefix.startswith("/"):
        prefix = "/" + prefix
    if not _PREFIX.fullmatch(prefix):
        prefix = ""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/")
    # WSGI hands the path as latin-1 text of the raw bytes.
    path = quote(path.encode("latin-1", "replace"), safe="/:@!$&'()*+,;=-._~%")
    return f"{scheme}://{host}{prefix}{path}"


def _first(header: str | None) -> str:
    """The first of a proxy header's comma-separated values (the client-side one)."""
    return (header or "").split(",")[0].strip()
