"""Unaccented SMS for residents who write without diacritics.

Vietnamese with diacritics travels as UCS-2 (67 characters a part), without as GSM-7 (153): the
same reply costs two to three times more with its accents. A resident who types
"nha em bi ngap" reads unaccented Vietnamese every day, so on SMS the engine answers in kind:
without diacritics by default, with them as soon as the resident writes with them, and without
again when they stop. Only messages with words decide; "1", "ok" or a lone "co" change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.messages import Button, Reply
from bot.render.sms import unaccent
from bot.textnorm import nfc, strip_diacritics

_WORD = re.compile(r"[^\W\d_]{2,}")
MIN_WORDS = 2  # fewer words say too little about how someone writes


def writes_plain(text: str) -> bool | None:
    """True if ``text`` is Vietnamese typed without diacritics, False if it has them, None when
    it says nothing either way (numbers, one word, emoji)."""
    words = _WORD.findall(nfc(text))
    latin = [w for w in words if strip_diacritics(w).isascii()]
    if any(strip_diacritics(w) != w for w in latin):
        return False
    return True if len(latin) >= MIN_WORDS else None


def plain_replies(replies: Sequence[Reply]) -> list[Reply]:
    """The replies without diacritics (texts and button titles; payloads unchanged).

    Two options that only the diacritics tell apart ("bản Cang" / "bản Cảng") keep them: a
    dearer SMS is better than a choice the resident cannot make.
    """
    return [Reply(unaccent(r.text), _titles(r.buttons), r.request) for r in replies]


def _titles(buttons: Sequence[Button]) -> tuple[Button, ...]:
    plain = [unaccent(b.title) for b in buttons]
    return tuple(
        Button(title if plain.count(title) == 1 else b.title, b.payload)
        for b, title in zip(buttons, plain, strict=True)
    )
