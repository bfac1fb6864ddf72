"""Tokenising place text and recognising Vietnamese administrative type words.

Index keys and user text go through the same :func:`tokenize`, so they are compared on equal
terms: NFC, lower case, split on anything that is not a letter or digit, letters split from
digits (``"tk4"`` -> ``tk 4``, ``"6-1"`` -> ``6 1``), each token also folded (no diacritics).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.textnorm import nfc, strip_diacritics

# Canonical type words. Villages: bản, thôn, xóm, tiểu khu, tổ dân phố. Communes: xã, phường
# (and the former thị trấn). Former districts: huyện, thị xã, thành phố. Province: tỉnh.
VILLAGE_TYPES = frozenset({"ban", "thon", "xom", "tieu_khu", "to_dan_pho"})
COMMUNE_TYPES = frozenset({"xa", "phuong"})
FORMER_COMMUNE_TYPES = COMMUNE_TYPES | {"thi_tran"}
DISTRICT_TYPES = frozenset({"huyen", "thi_xa", "thanh_pho"})
PROVINCE_TYPES = frozenset({"tinh"})

# Folded token sequence -> canonical type. Abbreviations as villagers type them.
_PHRASES: dict[tuple[str, ...], str] = {
    ("ban",): "ban",
    ("b",): "ban",
    ("thon",): "thon",
    ("xom",): "xom",
    ("tieu", "khu"): "tieu_khu",
    ("tk",): "tieu_khu",
    ("to", "dan", "pho"): "to_dan_pho",
    ("tdp",): "to_dan_pho",
    ("xa",): "xa",
    ("x",): "xa",
    ("phuong",): "phuong",
    ("p",): "phuong",
    ("thi", "tran"): "thi_tran",
    ("tt",): "thi_tran",
    ("huyen",): "huyen",
    ("h",): "huyen",
    ("thi", "xa"): "thi_xa",
    ("tx",): "thi_xa",
    ("thanh", "pho"): "thanh_pho",
    ("tp",): "thanh_pho",
    ("tinh",): "tinh",
}
_MAX_PHRASE = max(len(k) for k in _PHRASES)

# The only accented spellings accepted for a type word: "bán bò" (sell cows) is not "bản Bò".
_ACCENTED = frozenset(
    [
        "bản",
        "thôn",
        "xóm",
        "tiểu",
        "tổ",
        "dân",
        "phố",
        "xã",
        "phường",
        "thị",
        "trấn",
        "huyện",
        "thành",
        "tỉnh",
    ]
)

DISPLAY = {
    "ban": "bản",
    "thon": "thôn",
    "xom": "xóm",
    "tieu_khu": "tiểu khu",
    "to_dan_pho": "tổ dân phố",
    "xa": "xã",
    "phuong": "phường",
    "thi_tran": "thị trấn",
    "huyen": "huyện",
    "thi_xa": "thị xã",
    "thanh_pho": "thành phố",
    "tinh": "tỉnh",
}

_TOKEN = re.compile(r"[^\W\d_]+|\d+")


@dataclass(frozen=True, slots=True)
class Tokens:
    """``folded[i]`` is ``raw[i]`` without marks; both have the same length per token.

    ``spans[i]`` are the character offsets of token ``i`` in ``text`` (the NFC input).
    """

    text: str
    folded: tuple[str, ...]
    raw: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]


def tokenize(text: str, max_chars: int | None = None) -> Tokens:
    """Split ``text`` into aligned raw/folded tokens (reads at most ``max_chars`` characters)."""
    s = nfc(text if max_chars is None else text[:max_chars])
    folded: list[str] = []
    raw: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(s):
        r = m.group().lower()
        f = _fold_token(r)
        # A few non-Vietnamese letters change length when folded; drop their marks then.
        raw.append(r if len(f) == len(r) else f)
        folded.append(f)
        spans.append(m.span())
    return Tokens(s, tuple(folded), tuple(raw), tuple(spans))


@lru_cache(maxsize=65536)
def _fold_token(token: str) -> str:
    return strip_diacritics(token)


def type_phrases(toks: Tokens) -> dict[int, tuple[str, int]]:
    """Type words in ``toks``: token index just after the phrase -> (canonical type, start).

    When two phrases end at the same token ("thị xã" and "xã") the longer one wins.
    """
    out: dict[int, tuple[str, int]] = {}
    n = len(toks.folded)
    for i in range(n):
        for size in range(min(_MAX_PHRASE, n - i), 0, -1):
            canon = _PHRASES.get(toks.folded[i : i + size])
            if canon is None or not _plain_or_proper(toks.raw[i : i + size]):
                continue
            end = i + size
            if end not in out or out[end][1] > i:
                out[end] = (canon, i)
            break
    return out


def _plain_or_proper(raw: Sequence[str]) -> bool:
    return all(t.isascii() or t in _ACCENTED for t in raw)


def split_type(text: str) -> tuple[str | None, Tokens]:
    """``"xã Chiềng Xôm"`` -> ``("xa", tokens of "Chiềng Xôm")``; no type word -> ``None``."""
    toks = tokenize(text)
    starts = {start: (canon, end) for end, (canon, start) in type_phrases(toks).items()}
    if 0 in starts and starts[0][1] < len(toks.folded):
        canon, end = starts[0]
        return canon, Tokens(toks.text, toks.folded[end:], toks.raw[end:], toks.spans[end:])
    return None, toks


def key(toks: Tokens) -> str:
    """The folded lookup key of a token run: ``"chieng xom"``."""
    return " ".join(toks.folded)


def surface(toks: Tokens) -> str:
    """The accented, lower-case form aligned with :func:`key`: ``"chiềng xôm"``."""
    return " ".join(toks.raw)
