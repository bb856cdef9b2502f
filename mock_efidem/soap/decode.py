"""A call's arguments read straight from its parsed element, in the domain's terms.

spyne would first build its own objects from the tree (a third of a call's CPU time,
measured with bench/compare.py --profile), which the service then turned into plain
values. Reading the few shapes of this service (text, boolean, dateTime, base64, the
ArrayOf and the postal objects) directly gives the same values for less than a tenth
of that. spyne's rules are kept: an element left out or ``xsi:nil`` is None, a boolean
is true only for ``true`` or ``1``, a value of the wrong type is a Client fault (bad
base64 too, where spyne failed with a Server fault).
``tests/unit/test_decode.py`` holds this reader equal to spyne's on every operation.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from lxml import etree

from mock_efidem.domain.models import Attachment, PostalAddress, PostalName, RecipientInput
from mock_efidem.soap.operations import SoapOperation
from mock_efidem.soap.types import VARIABLE_NAMES

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_FRACTION = re.compile(r"(.*?)(?:\.([0-9]+))?((?:Z|[+-][0-9:]+)?)", re.S)
"""A dateTime as (up to the seconds, the fraction's digits, the zone)."""
_DATE_AND_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}")
Element = Any  # lxml's _Element


RECIPIENT_PARTS = {"address": "DESTINATION", "name": "NOM_DESTINATAIRE", "reference": "REFCLIENT"}
ATTACHMENT_PARTS = {"name": "NOM", "content": "CONTENU"}
POSTAL_NAME_PARTS = {
    "civility": "CIVILITE",
    "last_name": "NOM",
    "first_name": "PRENOM",
    "company": "RAISON_SOCIALE",
}
POSTAL_ADDRESS_PARTS = {
    "line1": "ADRESSE1",
    "line2": "ADRESSE2",
    "line3": "ADRESSE3",
    "postcode": "CODE_POSTAL",
    "city": "VILLE",
    "country": "PAYS",
}
PARTS_OF_TYPE = {
    "ArrayOfDESTINATAIRE": RECIPIENT_PARTS,
    "ArrayOfLISTE_FICHIER": ATTACHMENT_PARTS,
    "COURRIER_DESTINATAIRE_NOM": POSTAL_NAME_PARTS,
    "COURRIER_DESTINATAIRE_ADRESSE": POSTAL_ADDRESS_PARTS,
}
"""Wire element names of the domain's attributes, by the wire type holding them."""


def wire_path(operation: SoapOperation, path: tuple[str | int, ...]) -> str:
    """A domain field path as the caller wrote it: ``("recipients", 1, "address")`` of
    MULTI_ENVOYER_EMAIL is ``DESTINATION[2]/DESTINATION`` (positions count from 1)."""
    head, *rest = path
    if head == "variables" and rest and isinstance(rest[0], int):
        return VARIABLE_NAMES[rest[0]]
    param = next((p for p in operation.params if p.field == head), None)
    if param is None:
        return str(head)
    parts = [param.wire]
    names = PARTS_OF_TYPE.get(param.wire_type, {})
    for step in rest:
        if isinstance(step, int):
            parts[-1] += f"[{step + 1}]"
        else:
            parts.append(names.get(step, step))
    return "/".join(parts)


class WrongValue(ValueError):
    """A value that is not of its element's type: a Client.ValidationError fault."""

    def __init__(self, text: str) -> None:
        super().__init__(f"The value {text!r} could not be validated.")


def arguments(operation: SoapOperation, call: Element) -> dict[str, Any]:
    """Every parameter of ``operation`` by its field name, from the call's children."""
    children = _children(call)
    fields = {
        param.field: READERS[param.wire_type](children.get(param.wire))
        for param in operation.params
    }
    return fold_variables(fields)


def fold_variables(fields: dict[str, Any]) -> dict[str, Any]:
    """VARIABLE1..VARIABLE10 travel as separate elements; the domain wants one tuple."""
    names = [f"variable{n}" for n in range(1, len(VARIABLE_NAMES) + 1)]
    if names[0] in fields:
        fields["variables"] = tuple(fields.pop(name, None) or "" for name in names)
    return fields


def _children(element: Element) -> dict[str, Element]:
    """Child elements by local name; of repeated ones, the last (as spyne reads them)."""
    return {etree.QName(child).localname: child for child in element.iterchildren(etree.Element)}


def _present(element: Element | None) -> bool:
    return element is not None and element.get(XSI_NIL) not in ("true", "1")


def _string(element: Element | None) -> str | None:
    if not _present(element):
        return None
    text = element.text  # type: ignore[union-attr]
    return text if text is not None else ""


def _text(element: Element | None) -> str:
    return _string(element) or ""


def _boolean(element: Element | None) -> bool:
    return _present(element) and (element.text or "").lower() in ("true", "1")  # type: ignore[union-attr]


def _date_time(element: Element | None) -> datetime | None:
    text = _string(element)
    if not text:
        return None
    whole, fraction, zone = _FRACTION.fullmatch(text).groups()  # type: ignore[union-attr]
    if not _DATE_AND_TIME.fullmatch(whole):
        raise WrongValue(text)
    try:
        moment = datetime.fromisoformat(whole + zone)
    except ValueError:
        raise WrongValue(text) from None
    # Beyond microseconds spyne rounds; fromisoformat would refuse or cut.
    return moment + timedelta(microseconds=round(float(f"0.{fraction or 0}") * 1e6))


def _binary(element: Element | None) -> bytes:
    text = _string(element)
    if not text:
        return b""
    try:
        return base64.b64decode(text)
    except (binascii.Error, ValueError):
        raise WrongValue(text) from None


def _items(element: Element | None) -> list[Element]:
    return list(element.iterchildren(etree.Element)) if _present(element) else []  # type: ignore[union-attr]


def _strings(element: Element | None) -> tuple[str, ...]:
    return tuple(_text(item) for item in _items(element))


def _attachments(element: Element | None) -> tuple[Attachment, ...]:
    """Items with neither a name nor a content are no attachment at all."""
    found = []
    for item in _items(element):
        fields = _children(item)
        attachment = Attachment(
            _text(fields.get(ATTACHMENT_PARTS["name"])),
            _binary(fields.get(ATTACHMENT_PARTS["content"])),
        )
        if attachment.name.strip() or attachment.content:
            found.append(attachment)
    return tuple(found)


def _recipients(element: Element | None) -> tuple[RecipientInput, ...]:
    found = []
    for item in _items(element):
        fields = _children(item)
        found.append(
            RecipientInput(
                **{part: _text(fields.get(wire)) for part, wire in RECIPIENT_PARTS.items()},
                variables=tuple(_text(fields.get(name)) for name in VARIABLE_NAMES),
            )
        )
    return tuple(found)


def _postal_name(element: Element | None) -> PostalName | None:
    if not _present(element):
        return None
    fields = _children(element)
    return PostalName(**{part: _text(fields.get(w)) for part, w in POSTAL_NAME_PARTS.items()})


def _postal_address(element: Element | None) -> PostalAddress | None:
    if not _present(element):
        return None
    fields = _children(element)
    return PostalAddress(
        **{part: _text(fields.get(wire)) for part, wire in POSTAL_ADDRESS_PARTS.items()}
    )


READERS: dict[str, Callable[[Element | None], Any]] = {
    "string": _string,
    "boolean": _boolean,
    "dateTime": _date_time,
    "ArrayOfString": _strings,
    "ArrayOfLISTE_FICHIER": _attachments,
    "ArrayOfDESTINATAIRE": _recipients,
    "COURRIER_DESTINATAIRE_NOM": _postal_name,
    "COURRIER_DESTINATAIRE_ADRESSE": _postal_address,
}
