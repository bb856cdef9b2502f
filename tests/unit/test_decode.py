"""soap/decode.py reads every operation's arguments exactly as spyne did: the same plain
values (through spyne_reading.py, the service's former reading of spyne's objects), and
a Client fault where spyne faulted, over a corpus of shapes: every element given, left
out, empty, nil, in odd spellings, arrays with empty and nil items."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree
from spyne import Fault, MethodContext
from spyne.protocol import ProtocolBase
from spyne.protocol.soap import Soap11
from spyne.server import ServerBase

from mock_efidem.settings import DEFAULT_NAMESPACE as NS
from mock_efidem.soap.decode import WrongValue, arguments, fold_variables
from mock_efidem.soap.operations import OPERATIONS, SoapOperation
from mock_efidem.soap.service import build_application

from .spyne_reading import FROM_WIRE

ENVELOPE = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<s:Body><{op} xmlns="' + NS + '">{children}</{op}></s:Body></s:Envelope>'
)
NIL = ' xsi:nil="true"'
SAMPLES = {
    "string": [
        "jean@example.fr",
        "",
        "  spaced  ",
        "é & <x>".replace("&", "&amp;").replace("<", "&lt;"),
    ],
    "boolean": ["true", "1", "false", "0", "TRUE", " 1 ", "yes", ""],
    "dateTime": [
        "2024-01-02T03:04:05",
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05+02:00",
        "2024-01-02T03:04:05.123456",
        "2024-01-02T03:04:05.1234567",
        "2024-01-02",
        "2024-01-02 03:04:05",
        "2024-01-02T03:04",
        "2024-01-02T03:04:05-05:00",
        "2024-13-02T03:04:05",
        " 2024-01-02T03:04:05 ",
        "not a date",
    ],
}
ITEMS = {
    "ArrayOfString": "<string>a@example.fr</string><string/><string{nil}/>",
    "ArrayOfLISTE_FICHIER": (
        "<LISTE_FICHIER><NOM>a.pdf</NOM><CONTENU>JVBERi0xLjQ=</CONTENU></LISTE_FICHIER>"
        "<LISTE_FICHIER/><LISTE_FICHIER><NOM/><CONTENU/></LISTE_FICHIER>"
        "<LISTE_FICHIER><CONTENU>SGVsbG8=</CONTENU></LISTE_FICHIER>"
        "<LISTE_FICHIER><NOM>b</NOM><CONTENU>SGVs\nbG8=</CONTENU></LISTE_FICHIER>"
    ),
    "ArrayOfDESTINATAIRE": (
        "<DESTINATAIRE><DESTINATION>a@example.fr</DESTINATION><REFCLIENT>r</REFCLIENT>"
        "<VARIABLE3>trois</VARIABLE3></DESTINATAIRE><DESTINATAIRE/>"
    ),
    "COURRIER_DESTINATAIRE_NOM": "<NOM>Dupont</NOM><PRENOM/><CIVILITE>M.</CIVILITE>",
    "COURRIER_DESTINATAIRE_ADRESSE": "<ADRESSE1>1 rue</ADRESSE1><CODE_POSTAL>75001</CODE_POSTAL>",
}
APPLICATION = build_application(None, NS)  # type: ignore[arg-type]  # decoding only


def spyne_reads(operation: SoapOperation, body: str) -> dict[str, Any] | type[Fault]:
    server = ServerBase(APPLICATION)
    context = MethodContext(server, MethodContext.SERVER)
    context.in_string = [body.encode()]
    (context,) = server.generate_contexts(context)
    try:
        Soap11.deserialize(APPLICATION.in_protocol, context, ProtocolBase.REQUEST)
    except Exception:  # a Fault, or for bad base64 binascii.Error: a Server fault then
        return Fault
    values = list(context.in_object)
    fields = {
        p.field: FROM_WIRE[p.wire_type](v) for p, v in zip(operation.params, values, strict=True)
    }
    return fold_variables(fields)


BAD_BASE64 = ENVELOPE.format(
    op="ENVOYER_EMAIL",
    children="<LISTE_FICHIERS><LISTE_FICHIER><CONTENU>not base64!</CONTENU></LISTE_FICHIER>"
    "</LISTE_FICHIERS>",
)


def we_read(operation: SoapOperation, body: str) -> dict[str, Any] | type[Fault]:
    envelope = etree.fromstring(body.encode())
    call = envelope[0][0]
    try:
        return arguments(operation, call)
    except WrongValue:
        return Fault


def element(name: str, wire_type: str, shape: str) -> str:
    if shape == "absent":
        return ""
    if shape == "nil":
        return f"<{name}{NIL}/>"
    if shape == "empty":
        return f"<{name}/>"
    if wire_type in ITEMS:
        return f"<{name}>{ITEMS[wire_type].format(nil=NIL)}</{name}>"
    return f"<{name}>{shape}</{name}>"


def bodies(operation: SoapOperation) -> list[str]:
    shapes = ["absent", "nil", "empty", "given"]
    found = []
    for shape in shapes:
        children = "".join(
            element(
                p.wire,
                p.wire_type,
                shape if shape != "given" else SAMPLES.get(p.wire_type, ["x"])[0],
            )
            for p in operation.params
        )
        found.append(ENVELOPE.format(op=operation.wire_name, children=children))
    for param in operation.params:
        for sample in SAMPLES.get(param.wire_type, []):
            found.append(
                ENVELOPE.format(
                    op=operation.wire_name, children=element(param.wire, param.wire_type, sample)
                )
            )
    return found


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.wire_name)
def test_decode_reads_what_spyne_read(operation: SoapOperation) -> None:
    for body in bodies(operation):
        assert we_read(operation, body) == spyne_reads(operation, body), body


def test_bad_base64_is_read_as_spyne_read_it() -> None:
    operation = next(o for o in OPERATIONS if o.wire_name == "ENVOYER_EMAIL")
    assert we_read(operation, BAD_BASE64) == spyne_reads(operation, BAD_BASE64)


def test_a_negative_offset_with_minutes_is_read_right_where_spyne_erred() -> None:
    """spyne reads -05:30 as -04:30 (it adds the minutes to the negative hours)."""
    operation = next(o for o in OPERATIONS if o.wire_name == "RAPPORT")
    body = ENVELOPE.format(
        op="RAPPORT", children="<DATE_DEBUT>2024-01-02T03:04:05-05:30</DATE_DEBUT>"
    )
    read = we_read(operation, body)
    assert isinstance(read, dict)
    assert read["start"].isoformat() == "2024-01-02T03:04:05-05:30"
