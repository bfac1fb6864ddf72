"""The ``place`` entity, found by the gazetteer (an injected :class:`bot.ports.PlaceLookup`).

The gazetteer finds place names inside a whole sentence and reports the user's own words as
``PlaceMatch.matched`` ("bản Panh", or "bản Panh, xã Chiềng Xôm" when a commune was named as
well); this module turns its best match into a Rasa entity whose span covers those words in the
original text and whose value is the display name of the village (or of the commune).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from bot.domain.places import PlaceMatch
from bot.nlu.normalize import Normalized
from bot.places.gazetteer import Gazetteer
from bot.places.names import split_type
from bot.ports import PlaceLookup
from bot.textnorm import fold, fold_keep_offsets

log = logging.getLogger(__name__)

EXTRACTOR = "BuiltinPlaceExtractor"
_COMMUNE_WORDS = ("xa ", "phuong ", "thi tran ", "p. ", "tt ")
# Every folded word that may end a type phrase of bot.places.names ("bản", "b", "tiểu khu",
# "xã", "p", "huyện"...): a superset is safe, it only asks the gazetteer more often.
_TYPE_WORDS = frozenset(
    ["ban", "b", "thon", "xom", "khu", "tk", "pho", "tdp", "xa", "x", "phuong", "p", "tran",
     "tt", "huyen", "h", "tx", "tp", "tinh"]
)  # fmt: skip
_PARTS = re.compile(r"[^\W\d_]+|\d+")  # letters apart from digits, as the gazetteer splits


class PlaceFilter:
    """Whether a message may name a known place at all, before the gazetteer is asked.

    The gazetteer search is the dearest part of a parse, and most messages name no place. In a
    whole sentence only a (near-)exact name is taken (:data:`bot.nlu.builtin.PLACE_MIN_SCORE`),
    which the gazetteer finds as a multi-word name anywhere, or a one-word name after a type
    word or as the whole message; this filter passes exactly those messages (and every message
    of one or two words). It is built from the gazetteer's names once: villages a running
    gazetteer gains later are still found after a type word ("bản Mới"), not bare.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self._starts: set[str] = set()  # first word of every name
        self._multi: dict[str, set[tuple[str, ...]]] = {}  # first word -> multi-word names
        for name in names:
            _, toks = split_type(name)
            words = tuple(p for t in toks.folded for p in _PARTS.findall(t))
            if not words:
                continue
            self._starts.add(words[0])
            if len(words) > 1:
                self._multi.setdefault(words[0], set()).add(words)

    @classmethod
    def of(cls, places: PlaceLookup) -> PlaceFilter | None:
        """The filter for a :class:`Gazetteer`; None (ask every time) for another lookup."""
        if not isinstance(places, Gazetteer):
            return None
        names = [c.name for c in places.communes()]
        names += [v.name for v in places.all_villages()]
        names += [n for row in places.predecessor_rows() for n in row[:2] if n]
        return cls(names)

    def __call__(self, norm: Normalized) -> bool:
        words = [p for t in norm.tokens for p in _PARTS.findall(t.plain)]
        if len(words) <= 2:
            return True
        for i, word in enumerate(words):
            if word in _TYPE_WORDS and i + 1 < len(words) and words[i + 1] in self._starts:
                return True
            for name in self._multi.get(word, ()):
                if tuple(words[i : i + len(name)]) == name:
                    return True
        return False


def _locate(haystack: str, part: str, start: int) -> tuple[int, int] | None:
    """Span of ``part`` in ``haystack`` (both folded, same length as their originals)."""
    needle = fold(part)
    if not needle:
        return None
    at = haystack.find(needle, start)
    return (at, at + len(needle)) if at >= 0 else None


def _span(norm: Normalized, match: PlaceMatch) -> tuple[int, int] | None:
    """The original-text span of the words the gazetteer matched, or None if not found."""
    # Squeeze runs of spaces the way fold() does, keeping one index per kept character.
    folded = fold_keep_offsets(norm.text)
    kept = [
        i for i, ch in enumerate(folded) if not (ch.isspace() and i and folded[i - 1].isspace())
    ]
    squeezed = "".join(" " if folded[i].isspace() else folded[i] for i in kept)
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in match.matched.split(","):
        found = _locate(squeezed, part, pos)
        if found is None:
            continue
        spans.append(found)
        pos = found[1]
    if not spans:
        return None
    return norm.span(kept[spans[0][0]], kept[spans[-1][1] - 1] + 1)


def extract_place(norm: Normalized, places: PlaceLookup, min_score: float) -> list[dict[str, Any]]:
    """At most one ``place`` entity: the gazetteer's best match scoring ``min_score`` or more."""
    if not norm.tokens:
        return []
    try:
        matches = places.match(norm.text, limit=1)
    except Exception:  # a gazetteer bug must not stop intent classification
        log.exception("place lookup failed")
        return []
    if not matches or matches[0].score < min_score:
        return []
    best = matches[0]
    if best.via_predecessor and not fold(best.matched).startswith(_COMMUNE_WORDS):
        # A former commune's name without "xã": "Bản Lầm" is also "bạn làm" typed plain.
        return []
    span = _span(norm, best)
    if span is None:
        return []
    village = best.village
    return [
        {
            "entity": "place",
            "start": span[0],
            "end": span[1],
            "value": village.display_name if village else best.commune.display_name,
            "confidence": round(best.score / 100.0, 3),
            "extractor": EXTRACTOR,
            "village_id": village.id if village else None,
            "commune_code": best.commune.code,
        }
    ]
