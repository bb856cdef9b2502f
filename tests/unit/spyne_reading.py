"""How the service read a call before soap/decode.py: spyne's objects turned into plain
values. Kept as the reference that tests/unit/test_decode.py compares decode with."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mock_efidem.domain.models import Attachment, PostalAddress, PostalName, RecipientInput
from mock_efidem.soap.types import VARIABLE_NAMES


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _bytes(value: Any) -> bytes:
    """spyne hands base64Binary over as a list of chunks."""
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    return b"".join(bytes(chunk) for chunk in value)


def _attachments(items: Iterable[Any] | None) -> tuple[Attachment, ...]:
    """Items with neither a name nor a content are no attachment at all."""
    found = (Attachment(_text(i.NOM), _bytes(i.CONTENU)) for i in items or () if i)
    return tuple(a for a in found if a.name.strip() or a.content)


def _recipients(items: Iterable[Any] | None) -> tuple[RecipientInput, ...]:
    return tuple(
        RecipientInput(
            address=_text(item.DESTINATION),
            name=_text(item.NOM_DESTINATAIRE),
            reference=_text(item.REFCLIENT),
            variables=tuple(_text(getattr(item, name)) for name in VARIABLE_NAMES),
        )
        for item in items or ()
        if item
    )


def _strings(items: Iterable[Any] | None) -> tuple[str, ...]:
    return tuple(_text(item) for item in items or ())


def _postal_name(value: Any) -> PostalName | None:
    if value is None:
        return None
    return PostalName(
        _text(value.CIVILITE), _text(value.NOM), _text(value.PRENOM), _text(value.RAISON_SOCIALE)
    )


def _postal_address(value: Any) -> PostalAddress | None:
    if value is None:
        return None
    return PostalAddress(
        *(
            _text(getattr(value, n))
            for n in ("ADRESSE1", "ADRESSE2", "ADRESSE3", "CODE_POSTAL", "VILLE", "PAYS")
        )
    )


FROM_WIRE: dict[str, Callable[[Any], Any]] = {
    "string": lambda value: value,
    "boolean": bool,
    "dateTime": lambda value: value,
    "ArrayOfString": _strings,
    "ArrayOfLISTE_FICHIER": _attachments,
    "ArrayOfDESTINATAIRE": _recipients,
    "COURRIER_DESTINATAIRE_NOM": _postal_name,
    "COURRIER_DESTINATAIRE_ADRESSE": _postal_address,
}
