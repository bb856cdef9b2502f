"""What a SOAP request looks like on the wire, and how its answer must look back.

Clients come with SOAP 1.1 or 1.2 and with whatever target namespace their WSDL had
(Efidem's real one is not public). spyne serves one namespace in SOAP 1.1, so this
module adapts at the edge, on trees and never on text:

- ``parse_call`` parses the body once (spyne reuses that tree) and says which SOAP
  version and which namespace the call came in;
- ``to_served`` renames the call into what spyne serves (SOAP 1.1 envelope, the
  served namespace, ``ApplID`` read as ``AppID``);
- ``to_caller`` renames spyne's answer back into the caller's version and namespace,
  rewriting a SOAP 1.1 fault as a SOAP 1.2 one where needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from lxml import etree

SOAP11_ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENVELOPE_NS = "http://www.w3.org/2003/05/soap-envelope"
XML_NS = "http://www.w3.org/XML/1998/namespace"

MAX_TAGS = 2_000_000
"""Tags (``<``) a request may hold: about a million elements, a tree of 150 MB."""

PARSED_CALL_KEY = "mock_efidem.soap_call"
"""WSGI environ key of the parsed call: parsed once, read by the traffic layer and spyne."""

# The annex tables spell the trio's third member ApplID; accepting it is a kindness.
_APPLID, _APPID = "ApplID", "AppID"


class SoapVersion(Enum):
    SOAP11 = "1.1"
    SOAP12 = "1.2"

    @property
    def envelope_ns(self) -> str:
        return SOAP11_ENVELOPE_NS if self is SoapVersion.SOAP11 else SOAP12_ENVELOPE_NS

    @property
    def content_type(self) -> str:
        if self is SoapVersion.SOAP11:
            return "text/xml; charset=utf-8"
        return "application/soap+xml; charset=utf-8"


_VERSIONS = {version.envelope_ns: version for version in SoapVersion}
BOTH_ENVELOPES = (
    f"a SOAP 1.1 envelope ({{{SOAP11_ENVELOPE_NS}}}Envelope) "
    f"or a SOAP 1.2 envelope ({{{SOAP12_ENVELOPE_NS}}}Envelope)"
)

# SOAP 1.1 fault code -> SOAP 1.2 Code/Value (SOAP 1.2 part 1, 5.4.6).
_SOAP12_CODES = {
    "Client": "Sender",
    "Server": "Receiver",
    "VersionMismatch": "VersionMismatch",
    "MustUnderstand": "MustUnderstand",
}


class NotACall(Exception):
    """The body is not a SOAP call: answered with a fault of ``code``, in ``version``."""

    def __init__(self, code: str, message: str, version: SoapVersion) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.version = version


@dataclass
class SoapCall:
    """One parsed request: its tree, its version, the first element of its Body, and the
    namespace the caller used (kept: the tree is renamed for spyne)."""

    envelope: Any  # lxml _Element
    version: SoapVersion
    call: Any | None  # lxml _Element: the operation's element, None for an empty Body
    namespace: str

    @property
    def operation(self) -> str:
        return etree.QName(self.call).localname if self.call is not None else ""


def version_of_content_type(content_type: str) -> SoapVersion:
    """The version a fault must use when the body itself could not say."""
    is_soap12 = content_type.split(";")[0].strip().lower() == "application/soap+xml"
    return SoapVersion.SOAP12 if is_soap12 else SoapVersion.SOAP11


def parse_call(body: bytes, parser: etree.XMLParser, content_type: str) -> SoapCall:
    """Parse a request body, or raise ``NotACall`` with the reason a person can read."""
    guessed = version_of_content_type(content_type)
    if not body.strip():
        raise NotACall("Client", "empty request: POST a SOAP envelope", guessed)
    if body.count(b"<") > MAX_TAGS:
        # Counted before parsing: a body of empty elements would take a gigabyte.
        raise NotACall("Client", f"the request has more than {MAX_TAGS:,} tags", guessed)
    try:
        envelope = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as error:
        raise NotACall("Client", f"the request is not well-formed XML: {error}", guessed) from None
    if envelope is None:  # lxml's recover mode can return nothing
        raise NotACall("Client", "the request holds no XML element", guessed)
    name = etree.QName(envelope)
    version = _VERSIONS.get(name.namespace or "") if name.localname == "Envelope" else None
    if version is None:
        raise NotACall(
            "VersionMismatch",
            f"the root element is {envelope.tag}; expected {BOTH_ENVELOPES}",
            guessed,
        )
    body_element = envelope.find(f"{{{version.envelope_ns}}}Body")
    if body_element is None:
        raise NotACall("Client", "the envelope has no Body element", version)
    call = next((e for e in body_element if isinstance(e.tag, str)), None)
    namespace = (etree.QName(call).namespace or "") if call is not None else ""
    return SoapCall(envelope, version, call, namespace)


def to_served(call: SoapCall, served_ns: str) -> None:
    """Rename, in place, the call into SOAP 1.1 in the served namespace."""
    if call.version is SoapVersion.SOAP12:
        for element in (call.envelope, *call.envelope):
            if isinstance(element.tag, str) and element.tag.startswith(f"{{{SOAP12_ENVELOPE_NS}}}"):
                element.tag = f"{{{SOAP11_ENVELOPE_NS}}}{etree.QName(element).localname}"
    operation = call.call
    if operation is None:
        return
    children = [e for e in operation if isinstance(e.tag, str)]
    # Children left unqualified by a lenient client count as the caller's.
    if call.namespace != served_ns or any(etree.QName(e).namespace is None for e in children):
        for element in operation.iter(tag=etree.Element):
            if etree.QName(element).namespace in (call.namespace or None, None):
                element.tag = f"{{{served_ns}}}{etree.QName(element).localname}"
    for child in children:
        if etree.QName(child).localname == _APPLID:
            child.tag = f"{{{served_ns}}}{_APPID}"


def needs_renaming(call: SoapCall, served_ns: str) -> bool:
    return call.version is SoapVersion.SOAP12 or call.namespace != served_ns


def to_caller(answer: Any, served_ns: str, caller_ns: str, version: SoapVersion) -> Any:
    """spyne's SOAP 1.1 answer (an Envelope element) in the caller's version and namespace."""
    env = version.envelope_ns
    nsmap = {"soap": env, **({"tns": caller_ns} if caller_ns else {})}
    envelope = etree.Element(f"{{{env}}}Envelope", nsmap=nsmap)
    for part in answer:
        if not isinstance(part.tag, str):
            continue
        moved = etree.SubElement(envelope, f"{{{env}}}{etree.QName(part).localname}")
        for child in part:
            if isinstance(child.tag, str) and child.tag == f"{{{SOAP11_ENVELOPE_NS}}}Fault":
                code, message = _fault_parts(child)
                # spyne names the operation it could not find in the served namespace.
                message = message.replace(
                    f"{{{served_ns}}}", f"{{{caller_ns}}}" if caller_ns else ""
                )
                moved.append(_fault(version, code, message))
            else:
                moved.append(child)
    for element in envelope.iter(tag=etree.Element):
        if etree.QName(element).namespace == served_ns:
            local = etree.QName(element).localname
            element.tag = f"{{{caller_ns}}}{local}" if caller_ns else local
    etree.cleanup_namespaces(envelope)
    return envelope


def _fault_parts(fault: Any) -> tuple[str, str]:
    code = (fault.findtext("faultcode") or "Server").split(":")[-1]
    return code, fault.findtext("faultstring") or ""


def _fault(version: SoapVersion, code: str, message: str) -> Any:
    env = version.envelope_ns
    fault = etree.Element(f"{{{env}}}Fault", nsmap={"soap": env})
    if version is SoapVersion.SOAP11:
        etree.SubElement(fault, "faultcode").text = f"soap:{code}"
        etree.SubElement(fault, "faultstring").text = message
        etree.SubElement(fault, "detail")
        return fault
    value = _SOAP12_CODES.get(code.split(".")[0], "Receiver")
    code_element = etree.SubElement(fault, f"{{{env}}}Code")
    etree.SubElement(code_element, f"{{{env}}}Value").text = f"soap:{value}"
    reason = etree.SubElement(fault, f"{{{env}}}Reason")
    text = etree.SubElement(reason, f"{{{env}}}Text")
    text.set(f"{{{XML_NS}}}lang", "en")
    text.text = message
    etree.SubElement(fault, f"{{{env}}}Detail")
    return fault


def fault_document(code: str, message: str, version: SoapVersion) -> bytes:
    """A whole fault envelope: ``code`` is SOAP 1.1's (Client, Server, VersionMismatch)."""
    env = version.envelope_ns
    envelope = etree.Element(f"{{{env}}}Envelope", nsmap={"soap": env})
    etree.SubElement(envelope, f"{{{env}}}Body").append(_fault(version, code, _printable(message)))
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))


def _printable(message: str) -> str:
    """lxml refuses control characters in text; a message may quote a client's bytes."""
    return "".join(c if c.isprintable() or c in "\t\n" else "\ufffd" for c in message)
