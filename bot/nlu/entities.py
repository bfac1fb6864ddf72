"""Entity extractors returning Rasa-shaped dicts with spans into the ORIGINAL text.

- hazard / change_type / topic / loan_program: the Rasa lookup tables and synonyms, matched on
  normalised diacritic-free words (so "ngap", "ngập" and "ngaaap" all match), longest match
  first, whole words only, with the canonical value from the synonyms. Rules in
  ``data/nlu/entity_rules.yml`` keep ambiguous words ("bao" = báo/bão) to their accented
  spelling and some entity types to messages about their subject (``context``).
- amount: :func:`bot.nlu.numbers.find_amounts` (value in đồng, an int).
- people_count: a count before "người"/"khẩu"/"nhân khẩu"... ("nhà 4 khẩu" -> 4).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.nlu.data import NluData
from bot.nlu.normalize import Normalized, Normalizer
from bot.nlu.numbers import UNIT_WORDS, find_amounts, parse_count
from bot.textnorm import fold

Entity = dict[str, Any]
_DIGIT = re.compile(r"\d")
_GLUED_AMOUNT = re.compile(r"\d+[a-z]+\d*")
LOOKUP_ENTITIES = ("hazard", "change_type", "topic", "loan_program")

_COUNT_NOUNS = (("nguoi",), ("khau",), ("nhan", "khau"), ("thanh", "vien"), ("mieng", "an"))
_COUNT_NOUN_STARTS = frozenset(noun[0] for noun in _COUNT_NOUNS)
_NUMERALS = {
    "mot", "hai", "ba", "bon", "tu", "nam", "sau", "bay", "tam", "chin", "muoi", "lam",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Phrase:
    entity: str
    value: str
    folded: tuple[str, ...]
    accented: tuple[str, ...]
    accent_required: tuple[bool, ...]  # per word (all alike): typed with these diacritics


@dataclass(frozen=True, slots=True)
class EntityRules:
    """``accent_required`` folded phrases and per-entity ``context`` words (see the YAML)."""

    accent_required: frozenset[str] = frozenset()
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()
    not_in_intent: tuple[tuple[str, frozenset[str]], ...] = ()
    plain_in_intent: tuple[tuple[str, frozenset[str]], ...] = ()

    @classmethod
    def from_file(cls, path: Path) -> EntityRules:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        context = doc.get("context") or {}
        skip = doc.get("not_in_intent") or {}
        plain = doc.get("plain_in_intent") or {}
        return cls(
            accent_required=frozenset(fold(str(w)) for w in doc.get("accent_required") or ()),
            context=tuple((str(k), tuple(fold(str(w)) for w in v)) for k, v in context.items()),
            not_in_intent=tuple((str(k), frozenset(map(str, v))) for k, v in skip.items()),
            plain_in_intent=tuple(
                (str(k), frozenset(fold(str(w)) for w in v)) for k, v in plain.items()
            ),
        )

    def skipped(self, intent: str) -> frozenset[str]:
        """Lookup entity types not read in a message understood as ``intent``."""
        return next((types for name, types in self.not_in_intent if name == intent), frozenset())

    def plain_ok(self, intent: str) -> frozenset[str]:
        """``accent_required`` phrases that, typed without any diacritics, still count in a
        message understood as ``intent``."""
        return next((words for name, words in self.plain_in_intent if name == intent), frozenset())


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


class LookupExtractor:
    """hazard, change_type, topic and loan_program from the Rasa lookups and synonyms."""

    name = "BuiltinLookupExtractor"

    def __init__(self, data: NluData, normalizer: Normalizer, rules: EntityRules) -> None:
        self._normalizer = normalizer
        self._index: dict[tuple[str, ...], list[_Phrase]] = {}
        synonyms = {fold(k): v for k, v in data.synonyms.items()}
        synonyms.update({k.lower(): v for k, v in data.synonyms.items()})
        for entity in LOOKUP_ENTITIES:
            for item in data.lookups.get(entity, ()):
                value = synonyms.get(item.lower()) or synonyms.get(fold(item)) or item
                self._add(entity, value, item, rules)
        self._context = {
            entity: tuple(tuple(w.split()) for w in words) for entity, words in rules.context
        }
        self.rules = rules
        # First word -> the lengths of the phrases starting with it, longest first.
        lengths: dict[str, set[int]] = {}
        for key in self._index:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {w: sorted(ns, reverse=True) for w, ns in lengths.items()}
        self.values: dict[str, set[str]] = {}
        for bucket in self._index.values():
            for phrase in bucket:
                self.values.setdefault(phrase.entity, set()).add(phrase.value)

    def _add(self, entity: str, value: str, text: str, rules: EntityRules) -> None:
        norm = self._normalizer(text)
        folded = tuple(w for t in norm.tokens for w in t.folded)
        accented = tuple(w for t in norm.tokens for w in t.words)
        if not folded:
            return
        # The whole phrase decides: "bao" alone is ambiguous, "canh bao" (cảnh báo) is not.
        whole = " ".join(folded) in rules.accent_required
        required = (whole,) * len(folded)
        phrase = _Phrase(entity, value, folded, accented, required)
        bucket = self._index.setdefault(folded, [])
        if all((p.entity, p.value) != (phrase.entity, phrase.value) for p in bucket):
            bucket.append(phrase)
        elif phrase.accented != folded:  # keep the accented spelling for accent_required checks
            bucket[:] = [phrase if (p.entity, p.value) == (entity, value) else p for p in bucket]

    def extract(
        self,
        norm: Normalized,
        *,
        context: bool = True,
        skip: frozenset[str] = frozenset(),
        plain_ok: frozenset[str] = frozenset(),
    ) -> list[Entity]:
        """Lookup entities in ``norm``, except the types in ``skip``; ``context=False`` ignores
        the per-entity context rules (for reading a span another extractor already labelled).
        Skipped types take no part in resolving overlaps ("nhà nứt" vs "nứt"). Folded phrases
        in ``plain_ok`` count when typed without any diacritics despite ``accent_required``."""
        words = [
            (f, a, i)
            for i, t in enumerate(norm.tokens)
            for f, a in zip(t.folded, t.words, strict=True)
        ]
        folded = tuple(w[0] for w in words)
        allowed: dict[str, bool] = {}  # entity type -> its context words are in the message

        def in_context(entity: str) -> bool:
            if entity not in allowed:
                ctx = self._context.get(entity, ()) if context else ()
                allowed[entity] = not ctx or any(_contains(folded, c) for c in ctx)
            return allowed[entity]

        found: list[tuple[int, int, _Phrase]] = []
        for i, head in enumerate(folded):
            for n in self._lengths.get(head, ()):
                for phrase in (
                    self._index.get(folded[i : i + n], ()) if i + n <= len(folded) else ()
                ):
                    if phrase.entity in skip or not in_context(phrase.entity):
                        continue
                    typed = tuple(w[1] for w in words[i : i + n])
                    if phrase.accent_required[0] and typed != phrase.accented:
                        plain = typed == phrase.folded
                        if not (plain and " ".join(phrase.folded) in plain_ok):
                            continue
                    found.append((n, i, phrase))
        taken: set[int] = set()
        out: list[Entity] = []
        # Longest first; between equally long overlapping matches the later one wins, since
        # a leading "vừa"/"mới" is filler: "vừa sinh con" -> "sinh con", not "vừa sinh".
        for n, i, phrase in sorted(found, key=lambda f: (-f[0], -f[1])):
            first, last = words[i][2], words[i + n - 1][2]
            if taken & set(range(first, last + 1)):
                continue
            taken.update(range(first, last + 1))
            start, end = norm.span(norm.tokens[first].start, norm.tokens[last].end)
            out.append(rasa_entity(phrase.entity, phrase.value, start, end, self.name))
        return out


def rasa_entity(name: str, value: Any, start: int, end: int, extractor: str) -> Entity:
    """A Rasa-shaped entity dict (confidence 1.0)."""
    return {
        "entity": name,
        "start": start,
        "end": end,
        "value": value,
        "confidence": 1.0,
        "extractor": extractor,
    }


def extract_people_counts(norm: Normalized) -> list[Entity]:
    """People counts as ints: "5 người", "nha 4 khau", "mười hai nhân khẩu"."""
    tokens = norm.tokens
    out: list[Entity] = []
    for j in range(1, len(tokens)):
        if tokens[j].folded[:1] and tokens[j].folded[0] not in _COUNT_NOUN_STARTS:
            continue
        last = _count_noun_end(norm, j)
        if last is None:
            continue
        first = j
        while first > 0 and first > j - 3 and _is_numeral(norm, first - 1):
            first -= 1
        if first == j:
            continue
        count = parse_count(norm.text[tokens[first].start : tokens[j - 1].end])
        if count is None or not 0 < count < 100:
            continue
        if count == 1 and first > 0 and _is_money(tokens[first - 1].plain):
            continue  # "1tr6 một người": an amount per person, not a household of one
        start, end = norm.span(tokens[first].start, tokens[last].end)
        out.append(rasa_entity("people_count", count, start, end, "BuiltinCountExtractor"))
    return out


def _count_noun_end(norm: Normalized, j: int) -> int | None:
    """Index of the last token of a counted noun starting at token ``j``, or None."""
    tokens = norm.tokens
    for noun in _COUNT_NOUNS:
        if tokens[j].folded == noun:
            return j
        pair = tokens[j].folded + (tokens[j + 1].folded if j + 1 < len(tokens) else ())
        if len(noun) == 2 and len(tokens[j].folded) == 1 and pair == noun:
            return j + 1
    return None


def _is_money(word: str) -> bool:
    """A money word or a glued amount: "triệu", "đồng", "1tr6", "700k" (folded)."""
    return word in UNIT_WORDS or bool(_GLUED_AMOUNT.fullmatch(word))


def _is_numeral(norm: Normalized, i: int) -> bool:
    token = norm.tokens[i]
    raw = norm.text[token.start : token.end]
    return raw.isdigit() or (len(token.folded) == 1 and token.folded[0] in _NUMERALS)


def extract_amounts(norm: Normalized, exclude: Sequence[tuple[int, int]]) -> list[Entity]:
    """Money amounts (int đồng), skipping ``exclude`` spans (people counts, report codes).

    A zero counts only when written with a digit: "không đồng ý" is not "0 đồng".
    """
    out: list[Entity] = []
    # Most messages hold no digit and no unit word: skip the parse (its own check folds the
    # whole text again, character by character).
    if not _DIGIT.search(norm.text) and UNIT_WORDS.isdisjoint(t.plain for t in norm.tokens):
        return out
    for amount in find_amounts(norm.text):
        if amount.value == 0 and not any(c.isdigit() for c in norm.text[amount.start : amount.end]):
            continue
        start, end = norm.span(amount.start, amount.end)
        if any(start < e_end and e_start < end for e_start, e_end in exclude):
            continue
        out.append(rasa_entity("amount", amount.value, start, end, "BuiltinAmountExtractor"))
    return out
