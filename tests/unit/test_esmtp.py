"""Unit tests for the ESMTP title table (vendor first, RFC 3463 for the rest) and its readers.

The vendor's rows themselves, as the Efidem document prints them, are checked in
tests/test_vendor_examples.py; here the table is checked against RFC 3463.
"""

from __future__ import annotations

import pytest

from mock_efidem.domain.esmtp import (
    ESMTP_CLASSES,
    ESMTP_DETAILS,
    ESMTP_SOURCES,
    RFC_3463,
    RFC_3463_TITLES,
    VENDOR,
    VENDOR_TITLES,
    describe_esmtp_code,
    esmtp_class,
)

# Typed out again from RFC 3463 section 3, so that a typo in the module shows up here.
RFC_3463_TEXT = {
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

# Where the vendor's words differ from RFC 3463's; every other vendor row is RFC 3463's.
VENDOR_WORDING = {
    "1.5": "Destination mailbox address valid",
    "1.6": "Mailbox has moved",
    "2.3": "Message length exceeds administrative limit.",
    "4.3": "Routing server failure",
    "4.5": "Network congestion",
    "6.5": "Conversion failed",
}

# The codes the vendor's table leaves out: RFC 3463 answers them.
RFC_ONLY = {"0.0", "3.5"}

EXPECTED_TITLES = {**RFC_3463_TEXT, **VENDOR_WORDING}
TABLE_ENTRIES = sorted(EXPECTED_TITLES.items())
CLASS_PREFIXES = ["X.", "x.", "5.", "4.", "2."]


def test_table_is_rfc_3463_in_the_vendors_words() -> None:
    assert dict(ESMTP_DETAILS) == EXPECTED_TITLES


def test_vendor_and_rfc_rows_are_told_apart() -> None:
    assert {key for key, source in ESMTP_SOURCES.items() if source == RFC_3463} == RFC_ONLY
    assert {key for key, source in ESMTP_SOURCES.items() if source == VENDOR} == set(
        RFC_3463_TEXT
    ) - RFC_ONLY
    assert set(RFC_3463_TITLES) == RFC_ONLY
    assert set(VENDOR_TITLES).isdisjoint(RFC_3463_TITLES)


@pytest.mark.parametrize("subject_detail", sorted(RFC_ONLY))
def test_codes_the_vendor_omits_keep_rfc_3463_wording(subject_detail: str) -> None:
    assert describe_esmtp_code(f"X.{subject_detail}") == RFC_3463_TEXT[subject_detail]


@pytest.mark.parametrize(("subject_detail", "title"), sorted(VENDOR_WORDING.items()))
def test_vendor_wording_wins_over_rfc_3463(subject_detail: str, title: str) -> None:
    assert RFC_3463_TEXT[subject_detail] != title
    for prefix in ("X.", "4.", "5."):
        assert describe_esmtp_code(prefix + subject_detail) == title


def test_table_is_in_subject_detail_order() -> None:
    keys = [tuple(int(part) for part in key.split(".")) for key in ESMTP_DETAILS]
    assert keys == sorted(keys)


def test_table_covers_every_subject_range_of_the_brief() -> None:
    details_per_subject = {"1": 9, "2": 5, "3": 6, "4": 8, "5": 6, "6": 6, "7": 8, "0": 1}
    for subject, count in details_per_subject.items():
        expected = {f"{subject}.{detail}" for detail in range(count)}
        assert {key for key in ESMTP_DETAILS if key.startswith(f"{subject}.")} == expected


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        ESMTP_DETAILS["9.9"] = "Invented"  # type: ignore[index]
    with pytest.raises(TypeError):
        VENDOR_TITLES["9.9"] = "Invented"  # type: ignore[index]


def test_class_titles() -> None:
    assert dict(ESMTP_CLASSES) == {
        "2": "Success",
        "4": "Persistent Transient Failure",
        "5": "Permanent Failure",
    }


@pytest.mark.parametrize("prefix", CLASS_PREFIXES)
@pytest.mark.parametrize(("subject_detail", "title"), TABLE_ENTRIES)
def test_every_entry_round_trips(prefix: str, subject_detail: str, title: str) -> None:
    assert describe_esmtp_code(prefix + subject_detail) == title


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("5.1.1", "Bad destination mailbox address"),
        ("4.2.2", "Mailbox full"),
        ("2.0.0", "Other undefined Status"),
        ("2.1.5", "Destination mailbox address valid"),
        ("4.4.3", "Routing server failure"),
        ("5.6.5", "Conversion failed"),
        ("X.1.1", "Bad destination mailbox address"),
        ("x.1.1", "Bad destination mailbox address"),
        ("  5.1.1  ", "Bad destination mailbox address"),
        ("\t4.4.7\n", "Delivery time expired"),
        # The vendor's first "X.2.0" is RFC 3463's X.1.2; X.2.0 keeps its own title.
        ("X.1.2", "Bad destination system address"),
        ("X.2.0", "Other or undefined mailbox status"),
        ("5.5.5", "Wrong protocol version"),
    ],
)
def test_describe_known_codes(code: str, title: str) -> None:
    assert describe_esmtp_code(code) == title


@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "1.1.1",
        "3.1.1",
        "6.1.1",
        "0.1.1",
        "Y.1.1",
        "XX.1.1",
        "5.1",
        "5",
        "5.1.1.1",
        "5.1.9",
        "5.2.5",
        "5.8.0",
        "5.0.1",
        "5.01.1",
        "5.1.1000",
        "5.1.1x",
        "5 1 1",
        "5,1,1",
        "511",
        "5..1",
        ".1.1",
        "5.1.",
        "5.1.1 Bad destination mailbox address",
        "550 5.1.1",
        "5.-1.1",
        "\u0665.\u0661.\u0661",  # Arabic-Indic digits
    ],
)
def test_describe_unknown_or_malformed_codes(code: str) -> None:
    assert describe_esmtp_code(code) is None


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("5.1.1", "hard"),
        ("4.2.2", "soft"),
        ("2.0.0", "success"),
        ("2.1.5", "success"),
        ("4.4.7", "soft"),
        (" 5.7.1 ", "hard"),
        # The class only depends on the syntax, not on the table.
        ("5.9.9", "hard"),
        ("4.123.456", "soft"),
        ("X.1.1", None),
        ("x.1.1", None),
        ("3.1.1", None),
        ("1.1.1", None),
        ("", None),
        ("5.1", None),
        ("5", None),
        ("abc", None),
        ("5.1.1.1", None),
    ],
)
def test_esmtp_class(code: str, kind: str | None) -> None:
    assert esmtp_class(code) == kind


@pytest.mark.parametrize(("prefix", "kind"), [("5.", "hard"), ("4.", "soft"), ("2.", "success")])
@pytest.mark.parametrize("subject_detail", sorted(EXPECTED_TITLES))
def test_every_entry_has_its_class(prefix: str, kind: str, subject_detail: str) -> None:
    assert esmtp_class(prefix + subject_detail) == kind
