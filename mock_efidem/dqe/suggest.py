"""MAILSUGGEST's user-name suggestions, built from a person's names.

Names are folded to ASCII (accents dropped by Unicode NFKD, ligatures spelt out),
lowercased, and keep only letters and inner hyphens: "Jérôme" -> "jerome",
"Dupont-Lefèvre" -> "dupont-lefevre", "d'Artagnan" -> "dartagnan".
"""

from __future__ import annotations

import re
import unicodedata

from mock_efidem.domain.addresses import is_valid_address

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})
_NOT_NAME = re.compile(r"[^a-z-]")
_HYPHENS = re.compile(r"-{2,}")


def fold(name: str) -> str:
    """A name as it can stand in an address: ASCII letters and inner hyphens."""
    decomposed = unicodedata.normalize("NFKD", name.lower().translate(_LIGATURES))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    kept = _NOT_NAME.sub("", ascii_only.replace(" ", "-"))
    return _HYPHENS.sub("-", kept).strip("-")


def _initials(first_name: str) -> str:
    """One letter per part of a compound first name: jean-pierre -> jp."""
    return "".join(part[0] for part in first_name.split("-") if part)


def suggestions(first_name: str, last_name: str) -> list[str]:
    """User names ending in "@", most usual first, without duplicates."""
    first, last = fold(first_name), fold(last_name)
    if not (first and last):
        return [f"{only}@" for only in (first or last,) if only]
    initials = _initials(first)
    forms = (
        f"{initials}{last}",
        f"{initials}.{last}",
        f"{first}.{last}",
        f"{first}{last}",
        f"{last}.{first}",
        f"{last}{initials}",
        f"{first}_{last}",
    )
    return [f"{form}@" for form in dict.fromkeys(forms)]


def syntax(email: str) -> str:
    """MAILSUGGEST's ``syntaxe``: "ko" for an invalid address, "ok" otherwise (empty too)."""
    address = email.strip()
    return "ko" if address and not is_valid_address(address) else "ok"
