"""How many SMS a text takes: GSM-7 160/153, UCS-2 70/67, extension characters two."""

from __future__ import annotations

import pytest

from mock_efidem.control.inbox.sms import GSM7_BASIC, GSM7_EXTENSION, sms_length


def test_the_alphabet_is_gsm_03_38s() -> None:
    assert len(GSM7_BASIC) == 127  # 128 codes, ESC (0x1B) leads to the extension table
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments", "per_segment"),
    [
        ("", "GSM-7", 0, 1, 160),
        ("a" * 160, "GSM-7", 160, 1, 160),
        ("a" * 161, "GSM-7", 161, 2, 153),
        ("a" * 306, "GSM-7", 306, 2, 153),
        ("a" * 307, "GSM-7", 307, 3, 153),
        ("é à ù Ç ß Ñ", "GSM-7", 11, 1, 160),
        ("€" * 80, "GSM-7", 160, 1, 160),  # two septets each
        ("€" * 81, "GSM-7", 162, 2, 153),
        ("ê", "UCS-2", 1, 1, 70),  # not in GSM 03.38
        ("a" * 69 + "ê", "UCS-2", 70, 1, 70),
        ("a" * 70 + "ê", "UCS-2", 71, 2, 67),
        ("😀" * 35, "UCS-2", 70, 1, 70),  # a surrogate pair: two units
        ("😀" * 36, "UCS-2", 72, 2, 67),
    ],
)
def test_length(text: str, encoding: str, units: int, segments: int, per_segment: int) -> None:
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments, length.per_segment) == (
        encoding,
        units,
        segments,
        per_segment,
    )
    assert length.characters == len(text)
