"""SMS encoding and segment arithmetic (3GPP TS 23.038 / GSM 03.38, TS 23.040 concatenation).

A message whose every character is in the GSM 7-bit default alphabet (plus its extension table)
is sent as GSM-7: 160 septets in one SMS, 153 per part once concatenated (the 7-septet user data
header eats the rest). Any other character forces UCS-2 for the *whole* message: 70 UTF-16 code
units in one SMS, 67 per part. One "ệ" therefore more than halves the room, which is why
:func:`unaccent` exists: typical Vietnamese without diacritics is pure GSM-7.

Operators bill per segment, so counts here must match what carriers (and Twilio's segment
calculator) do: an escape pair (extension character) or a surrogate pair is never split across
two parts, which can make the last part hold one unit less.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.textnorm import nfc, strip_diacritics

# The GSM 03.38 default alphabet in code order 0x00..0x7F, with 0x1B (ESC, the escape to the
# extension table) left out because it is not a character anyone types.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs two septets (ESC + code).
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

Encoding = Literal["gsm7", "ucs2"]

# Punctuation that word processors and translators put into Vietnamese text, mapped to GSM-7
# look-alikes so that unaccented text does not fall back to UCS-2 for one curly quote.
_PUNCTUATION = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "´": "'",
        "`": "'",
        "…": "...",
        "–": "-",
        "—": "-",
        "−": "-",
        "‐": "-",
        "‑": "-",
        "•": "-",
        "·": "-",
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
        "\u2009": " ",  # thin space
        "\u200b": "",  # zero-width space
        "\t": " ",
        "₫": "d",  # dong sign: "50.000₫" -> "50.000d", as people write it by hand
        "²": "2",  # "8 m²" -> "8 m2"
        "³": "3",
    }
)


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """How a text travels as SMS: its encoding, its length in that encoding's units (septets
    for GSM-7, UTF-16 code units for UCS-2) and the number of segments billed."""

    encoding: Encoding
    units: int
    segments: int


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 default alphabet or its extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def _unit_costs(text: str, encoding: Encoding) -> list[int]:
    """Cost of each code point: septets for GSM-7, UTF-16 code units for UCS-2."""
    if encoding == "gsm7":
        return [2 if ch in GSM7_EXTENDED else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segment_info(text: str) -> SegmentInfo:
    """Encoding, units and billed segments of ``text`` exactly as given (no normalisation).

    An empty text is one (empty) segment: a sent SMS always costs at least one.
    """
    encoding: Encoding = "gsm7" if is_gsm7(text) else "ucs2"
    costs = _unit_costs(text, encoding)
    units = sum(costs)
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if encoding == "gsm7" else (UCS2_SINGLE, UCS2_MULTI)
    if units <= single:
        return SegmentInfo(encoding, units, 1)
    # Greedy packing: an escape pair or surrogate pair (cost 2) never straddles two parts.
    segments, room = 1, multi
    for cost in costs:
        if cost > room:
            segments, room = segments + 1, multi
        room -= cost
    return SegmentInfo(encoding, units, segments)


def gsm_punctuation(text: str) -> str:
    """Replace typographic punctuation (curly quotes, dashes, ellipsis, odd spaces, ₫) with the
    plain GSM-7 forms; letters are left alone. Cheap insurance applied to every SMS."""
    return text.translate(_PUNCTUATION)


def unaccent(text: str) -> str:
    """Vietnamese without diacritics and with GSM-7 punctuation, so that it usually fits GSM-7.

    ``"Nhà tôi bị ngập – “rất nặng”…"`` -> ``'Nha toi bi ngap - "rat nang"...'``. Letters lose
    their tone and vowel marks (đ -> d); curly quotes, dashes, ellipsis and odd spaces become
    their plain ASCII forms. Characters with no GSM-7 form (emoji, CJK) are left alone: the
    message then stays UCS-2, which is still correct, only dearer.
    """
    return strip_diacritics(gsm_punctuation(nfc(text)))
