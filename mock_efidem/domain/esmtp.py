"""Enhanced mail system status codes, as data, and how to read them.

A code is written "class.subject.detail", e.g. "5.1.1". The class says whether the
delivery succeeded (2), failed for now (4, a soft bounce) or failed for good
(5, a hard bounce); "subject.detail" names the cause.

The vendor's words win (issue 9, point 6): every code of the table in the Efidem
document's "Codes ESMTP" section answers the vendor's title, and RFC 3463's title
serves only the codes the vendor leaves out (X.0.0 and X.3.5). ``ESMTP_SOURCES``
says which rows come from which.

Two readings of the vendor table:

- Its text, as extracted from the PDF, glues words together ("Otheraddressstatus",
  "Bad destination mailboxaddress", "Toomanyrecipients"). Those are extraction
  artifacts: the spaces between words are restored here; the words, their case and
  their punctuation are the vendor's (hence "Message length exceeds administrative
  limit." with its final period, and "Conversion failed").
- It lists "X.2.0" twice. The first row, "Bad destination system address", is
  RFC 3463's X.1.2, which the table otherwise lacks (research notes, §3 #15): that
  title answers X.1.2, and X.2.0 answers the second row's title.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

VENDOR = "vendor"
RFC_3463 = "RFC 3463"

ESMTP_CLASSES: Mapping[str, str] = MappingProxyType(
    {
        "2": "Success",
        "4": "Persistent Transient Failure",
        "5": "Permanent Failure",
    }
)
"""RFC 3463 class digit -> its title."""

VENDOR_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "1.0": "Other address status",
        "1.1": "Bad destination mailbox address",
        "1.2": "Bad destination system address",  # the vendor's first "X.2.0" row
        "1.3": "Bad destination mailbox address syntax",
        "1.4": "Destination mailbox address ambiguous",
        "1.5": "Destination mailbox address valid",
        "1.6": "Mailbox has moved",
        "1.7": "Bad sender's mailbox address syntax",
        "1.8": "Bad sender's system address",
        "2.0": "Other or undefined mailbox status",
        "2.1": "Mailbox disabled, not accepting messages",
        "2.2": "Mailbox full",
        "2.3": "Message length exceeds administrative limit.",
        "2.4": "Mailing list expansion problem",
        "3.0": "Other or undefined mail system status",
        "3.1": "Mail system full",
        "3.2": "System not accepting network messages",
        "3.3": "System not capable of selected features",
        "3.4": "Message too big for system",
        "4.0": "Other or undefined network or routing status",
        "4.1": "No answer from host",
        "4.2": "Bad connection",
        "4.3": "Routing server failure",
        "4.4": "Unable to route",
        "4.5": "Network congestion",
        "4.6": "Routing loop detected",
        "4.7": "Delivery time expired",
        "5.0": "Other or undefined protocol status",
        "5.1": "Invalid command",
        "5.2": "Syntax error",
        "5.3": "Too many recipients",
        "5.4": "Invalid command arguments",
        "5.5": "Wrong protocol version",
        "6.0": "Other or undefined media error",
        "6.1": "Media not supported",
        "6.2": "Conversion required and prohibited",
        "6.3": "Conversion required but not supported",
        "6.4": "Conversion with loss performed",
        "6.5": "Conversion failed",
        "7.0": "Other or undefined security status",
        "7.1": "Delivery not authorized, message refused",
        "7.2": "Mailing list expansion prohibited",
        "7.3": "Security conversion required but not possible",
        "7.4": "Security features not supported",
        "7.5": "Cryptographic failure",
        "7.6": "Cryptographic algorithm not supported",
        "7.7": "Message integrity failure",
    }
)
"""The Efidem document's "Codes ESMTP" table: "subject.detail" -> the vendor's title."""

RFC_3463_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "0.0": "Other undefined Status",
        "3.5": "System incorrectly configured",
    }
)
"""RFC 3463's titles of the codes that the vendor's table leaves out."""


def _subject_detail_order(key: str) -> tuple[int, ...]:
    return tuple(int(part) for part in key.split("."))


ESMTP_DETAILS: Mapping[str, str] = MappingProxyType(
    dict(
        sorted(
            {**RFC_3463_TITLES, **VENDOR_TITLES}.items(),
            key=lambda item: _subject_detail_order(item[0]),
        )
    )
)
"""Every known "subject.detail" -> its title, e.g. "1.1" -> "Bad destination mailbox address"."""

ESMTP_SOURCES: Mapping[str, str] = MappingProxyType(
    {key: VENDOR if key in VENDOR_TITLES else RFC_3463 for key in ESMTP_DETAILS}
)
"""Every known "subject.detail" -> where its title comes from: ``VENDOR`` or ``RFC_3463``."""

_BOUNCE_KINDS: Mapping[str, str] = MappingProxyType({"2": "success", "4": "soft", "5": "hard"})

# "X" stands for any class, as in the vendor's table; subject and detail are 1 to 3 digits.
_CODE_PATTERN = re.compile(r"([245X])\.([0-9]{1,3})\.([0-9]{1,3})")


def _split_code(code: str) -> tuple[str, str] | None:
    """Return (class, "subject.detail") of a well-formed code, else None."""
    match = _CODE_PATTERN.fullmatch(code.strip().upper())
    if match is None:
        return None
    code_class, subject, detail = match.groups()
    return code_class, f"{subject}.{detail}"


def describe_esmtp_code(code: str) -> str | None:
    """The title of a code such as "5.1.1" or "X.1.1" (see ``ESMTP_DETAILS``), or None."""
    parts = _split_code(code)
    if parts is None:
        return None
    return ESMTP_DETAILS.get(parts[1])


def esmtp_class(code: str) -> str | None:
    """The bounce kind of a code: "hard" (class 5), "soft" (4), "success" (2), else None.

    Only the syntax matters here: "5.9.9" is a hard bounce even though its
    subject and detail are in no table.
    """
    parts = _split_code(code)
    if parts is None:
        return None
    return _BOUNCE_KINDS.get(parts[0])
