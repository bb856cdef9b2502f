"""How many SMS a text takes, as an operator counts them (3GPP TS 23.038).

GSM-7 when every character is in the GSM 03.38 alphabet: 160 septets in one SMS, 153
in each part of a longer one (the rest carries the concatenation header); a character
of the extension table (€, [, …) takes two septets. One character outside it and the
whole text goes as UCS-2: 70 UTF-16 units in one SMS, 67 per part.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7 = ("GSM-7", 160, 153)
UCS2 = ("UCS-2", 70, 67)


@dataclass(frozen=True)
class SmsLength:
    encoding: str
    characters: int
    units: int
    """Septets (GSM-7) or UTF-16 code units (UCS-2)."""
    segments: int
    per_segment: int
    """What each SMS holds: the single limit for one, the part limit for several."""


def sms_length(text: str) -> SmsLength:
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        encoding, single, part = GSM7
        units = len(text) + sum(c in GSM7_EXTENSION for c in text)
    else:
        encoding, single, part = UCS2
        units = len(text.encode("utf-16-le")) // 2
    segments = 1 if units <= single else math.ceil(units / part)
    return SmsLength(encoding, len(text), units, segments, single if segments == 1 else part)
