"""Enhanced mail system status codes (RFC 3463), as data, and how to read them.

A code is written "class.subject.detail", e.g. "5.1.1". The class says whether the
delivery succeeded (2), failed for now (4, a soft bounce) or failed for good
(5, a hard bounce); "subject.detail" names the cause.

The vendor document's table lists "X.2.0" twice, the first time with the title
"Bad destination system address", which is RFC 3463's X.1.2 (research notes,
§3 #15). This module serves RFC 3463's table, with RFC 3463's own titles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

ESMTP_CLASSES: Mapping[str, str] = MappingProxyType(
    {
        "2": "Success",
        "4": "Persistent Transient Failure",
        "5": "Permanent Failure",
    }
)
"""RFC 3463 class digit -> its title."""

ESMTP_DETAILS: Mapping[str, str] = MappingProxyType(
    {
        "0.0": "Other undefined Status",
        "1.0": "Other address status",
        "1.1": "Bad destination mailbox address",
        "1.2": "Bad destination system address",
        "1.3": "Bad destination mailbox address syntax",
        "1.4": "Destination mailbox address ambiguous",
        "1.5": "Destination address valid",
        "1.6": "Destination mailbox has moved, No forwarding address",
        "1.7": "Bad sender's mailbox address syntax",
        "1.8": "Bad sender's system address",
        "2.0": "Other or undefined mailbox status",
        "2.1": "Mailbox disabled, not accepting messages",
        "2.2": "Mailbox full",
        "2.3": "Message length exceeds administrative limit",
        "2.4": "Mailing list expansion problem",
        "3.0": "Other or undefined mail system status",
        "3.1": "Mail system full",
        "3.2": "System not accepting network messages",
        "3.3": "System not capable of selected features",
        "3.4": "Message too big for system",
        "3.5": "System incorrectly configured",
        "4.0": "Other or undefined network or routing status",
        "4.1": "No answer from host",
        "4.2": "Bad connection",
        "4.3": "Directory server failure",
        "4.4": "Unable to route",
        "4.5": "Mail system congestion",
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
        "6.5": "Conversion Failed",
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
"""RFC 3463 "subject.detail" -> its title, e.g. "1.1" -> "Bad destination mailbox address"."""

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
    """The RFC 3463 title of a code such as "5.1.1" or "X.1.1", or None if unknown."""
    parts = _split_code(code)
    if parts is None:
        return None
    return ESMTP_DETAILS.get(parts[1])


def esmtp_class(code: str) -> str | None:
    """The bounce kind of a code: "hard" (class 5), "soft" (4), "success" (2), else None.

    Only the syntax matters here: "5.9.9" is a hard bounce even though its
    subject and detail are not in RFC 3463's table.
    """
    parts = _split_code(code)
    if parts is None:
        return None
    return _BOUNCE_KINDS.get(parts[0])
