"""Split a long text into parts that each fit a channel's limit, at the most natural boundary.

The limit is a predicate (``fits``), so one splitter serves Telegram's 4096 UTF-16 units,
Zalo's 2000 and an SMS segment budget whose cost depends on the encoding of each part.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Boundaries from most to least preferred. A break is the start of the separator; the part
# ends just before it and the next part starts after the whitespace.
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_LINE = re.compile(r"\n")
_SENTENCE = re.compile(r"(?<=[.!?…;:])\s")
_WORD = re.compile(r"\s")

# A preferred boundary is taken only if the part keeps at least this share of the room, so a
# paragraph break near the start does not waste a whole (billed) message on one line.
_MIN_FILL = 0.5


def _longest_fitting_prefix(text: str, fits: Callable[[str], bool]) -> int:
    """Largest ``n`` with ``fits(text[:n])``; relies on cost never falling as a prefix grows."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(text[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _break_at(text: str, room: int) -> int:
    """Where to end the part, given that ``text[:room]`` is the longest prefix that fits."""
    # Include the next character: a separator right after the room is a perfect break.
    window = text[: room + 1]
    floor = max(1, int(room * _MIN_FILL))
    for pattern in (_PARAGRAPH, _LINE, _SENTENCE):
        starts = [m.start() for m in pattern.finditer(window) if floor <= m.start() <= room]
        if starts:
            return starts[-1]
    words = [m.start() for m in _WORD.finditer(window) if m.start() <= room]
    words = [pos for pos in words if text[:pos].strip()]
    if words:
        return words[-1]
    return room  # a single word longer than the room: cutting it is the only way


def split_text(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Cut ``text`` into stripped, non-empty parts that each satisfy ``fits``.

    Prefers, in order: paragraph breaks, line breaks, sentence ends, spaces; a word is cut only
    when it alone does not fit. Whitespace at the cuts is dropped; nothing else is lost, so
    joining the parts with single spaces gives the text back up to whitespace.
    ``fits`` must be monotonic over prefixes (a prefix of a fitting text fits).
    Raises ``ValueError`` when not even one character fits. An empty text gives ``[]``.
    """
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if fits(rest):
            parts.append(rest)
            break
        room = _longest_fitting_prefix(rest, fits)
        if room == 0:
            raise ValueError(f"limit too small for even one character: {rest[:1]!r}")
        cut = _break_at(rest, room)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts
