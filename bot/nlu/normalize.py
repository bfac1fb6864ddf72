"""Normalise a villager's message for the classifier and the entity extractors.

Each word-like token of the input keeps its span in the ORIGINAL string (even when the input
is decomposed Unicode), and carries its normalised words: lower case, repeated letters squeezed
("ngaaap" -> "ngap"), teencode expanded from ``data/nlu/abbreviations.yml`` ("ko" -> "không",
"ntn" -> "như thế nào"), Telex leftovers repaired ("nhaf" -> "nha", "ddc" -> "được"), and a
diacritic-free shadow of every word (``bot.textnorm.fold_keep_offsets``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.textnorm import fold, fold_keep_offsets

MAX_CHARS = 1000  # longer messages are analysed up to here (SMS concatenations are shorter)

_WORD = re.compile(r"[^\W_]+")
_REPEAT = re.compile(r"([^\W\d_])\1+")
# A Vietnamese syllable without diacritics: onset, vowel nucleus, coda.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
_TELEX_TONE = "sfrxj"  # tone keys left at the end of a word when the keyboard missed them
_TELEX_W = (("uow", "uo"), ("uw", "u"), ("ow", "o"), ("aw", "a"))


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the input: ``text[start:end]`` in the original, and its normalised words."""

    start: int
    end: int
    words: tuple[str, ...]  # lower case, with diacritics where known (expansions have them)
    folded: tuple[str, ...]  # the same words without diacritics
    plain: str  # the token as typed, lower case, without diacritics (no expansion)


@dataclass(frozen=True, slots=True)
class Normalized:
    """A message ready for the NLU: the analysed text, its tokens and two normalised strings."""

    text: str  # NFC, control characters blanked, capped at MAX_CHARS
    tokens: tuple[Token, ...]
    accented: str  # normalised words joined by spaces
    folded: str  # the same without diacritics
    # Per char of ``text``: (start, end) in the original; None when they are the same (the
    # input was already NFC, the usual case).
    offsets: tuple[tuple[int, int], ...] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of :attr:`text` to the original string."""
        if self.offsets is None:
            return start, end
        return self.offsets[start][0], self.offsets[end - 1][1]


def _nfc_with_offsets(text: str) -> tuple[str, list[tuple[int, int]]]:
    """NFC of ``text`` and, per output char, the original span of the cluster it came from."""
    out: list[str] = []
    offsets: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        composed = unicodedata.normalize("NFC", text[i:j])
        out.append(composed)
        offsets.extend([(i, j)] * len(composed))
        i = j
    return "".join(out), offsets


def _clean(ch: str) -> str:
    """Control and format characters become spaces, keeping length."""
    return " " if unicodedata.category(ch)[0] == "C" else ch


_CACHE_MAX = 50_000


class Normalizer:
    """Turns text into :class:`Normalized`; pure and thread-safe once built."""

    def __init__(self, abbreviations: dict[str, str]) -> None:
        # token as typed -> (words, folded words): villagers reuse a few thousand words, and
        # folding each again was a third of a parse. Cleared when full, so memory is bounded.
        self._cache: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {}
        self._exact: dict[str, str] = {}
        self._plain: dict[str, str] = {}
        for key, value in abbreviations.items():
            k = unicodedata.normalize("NFC", str(key)).lower()
            v = unicodedata.normalize("NFC", str(value)).lower()
            self._exact[k] = v
            if fold(k) == k:
                self._plain[k] = v

    @classmethod
    def from_file(cls, path: Path) -> Normalizer:
        """Build from a YAML file with an ``abbreviations:`` mapping."""
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        table = doc.get("abbreviations") or {}
        if not isinstance(table, dict):
            raise ValueError(f"{path}: 'abbreviations' must be a mapping")
        bad = [k for k, v in table.items() if not isinstance(k, str) or not isinstance(v, str)]
        if bad:  # YAML reads bare yes/no/on/off as booleans: quote them
            raise ValueError(f"{path}: keys and values must be strings, check {bad!r}")
        return cls(table)

    def _expand(self, word: str) -> str | None:
        if word in self._exact:
            return self._exact[word]
        if fold_keep_offsets(word) == word:
            return self._plain.get(word)
        return None

    def words(self, raw: str) -> tuple[str, ...]:
        """The normalised words of one token (usually one, several for an expansion)."""
        lower = raw.lower()
        word = _REPEAT.sub(r"\1", lower)
        # The token as typed first: "hssv" must not be squeezed to "hsv" before lookup.
        expanded = self._expand(lower) or self._expand(word)
        if expanded is None and fold_keep_offsets(word) == word and not word.isdigit():
            fixed = _telex(word)
            expanded = self._expand(fixed) or (fixed if fixed != word else None)
        return tuple((expanded or word).split())

    def __call__(self, text: str) -> Normalized:
        head = text[: MAX_CHARS * 2]
        offsets: tuple[tuple[int, int], ...] | None = None
        if unicodedata.is_normalized("NFC", head):  # the usual case: nothing to map
            nfc_text = head[:MAX_CHARS]
        else:
            nfc_text, mapped = _nfc_with_offsets(head)
            nfc_text = nfc_text[:MAX_CHARS]
            offsets = tuple(mapped[: len(nfc_text)])
        if not nfc_text.isprintable():
            nfc_text = "".join(_clean(ch) for ch in nfc_text)
        tokens = []
        for m in _WORD.finditer(nfc_text):
            raw = m.group()
            known = self._cache.get(raw)
            if known is None:
                words = self.words(raw)
                known = (words, tuple(fold(w) for w in words), fold(raw))
                if len(self._cache) >= _CACHE_MAX:
                    self._cache.clear()
                self._cache[raw] = known
            tokens.append(Token(m.start(), m.end(), *known))
        accented = " ".join(w for t in tokens for w in t.words)
        return Normalized(
            text=nfc_text,
            tokens=tuple(tokens),
            accented=accented,
            folded=" ".join(f for t in tokens for f in t.folded),
            offsets=offsets,
        )


def _telex(word: str) -> str:
    """Undo keys a Telex keyboard left in a word typed without diacritics ("nhaf" -> "nha")."""
    fixed = word
    if "w" in word:
        candidate = word
        for pair, repl in _TELEX_W:
            candidate = candidate.replace(pair, repl)
        if _SYLLABLE.fullmatch(candidate.rstrip(_TELEX_TONE)):
            fixed = candidate
    if len(fixed) >= 3 and fixed[-1] in _TELEX_TONE and _SYLLABLE.fullmatch(fixed[:-1]):
        fixed = fixed[:-1]
    return fixed
