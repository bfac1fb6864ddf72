"""The built-in NLU: trained from the Rasa project at start, answers in Rasa's parse shape.

``BuiltinNlu.train(nlu_data_dir)`` reads ``nlu_data/data/*.yml`` (and the abbreviation and
entity-rule tables in ``data/nlu/``), fits the intent model or reuses the cached one, and
returns an object implementing :class:`bot.ports.Nlu`. ``parse`` never raises on a string.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.config import ROOT
from bot.nlu import classifier
from bot.nlu.classifier import IntentModel
from bot.nlu.data import Example, load_project, training_files
from bot.nlu.entities import (
    LOOKUP_ENTITIES,
    EntityRules,
    LookupExtractor,
    extract_amounts,
    extract_people_counts,
    rasa_entity,
)
from bot.nlu.normalize import Normalized, Normalizer
from bot.nlu.numbers import parse_count, parse_money
from bot.nlu.place_entity import PlaceFilter, extract_place
from bot.ports import JSON, PlaceLookup

log = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
RANKING_LENGTH = 10  # as DIETClassifier's default ranking_length
DEFAULT_CACHE_DIR = ROOT / "var" / "nlu-cache"
DEFAULT_TABLES_DIR = ROOT / "data" / "nlu"
# In a whole sentence only a (near-)exact name counts: fuzzy matches of everyday words ("bao
# nhiêu" ~ "xã Trung Hội", "hộ mới" ~ "xã Chợ Mới") scored 70-87 on the held-out set, and a
# wrong village filled in is worse than the question the place step asks anyway. A span that
# Rasa already labelled as a place may be a little fuzzier.
PLACE_MIN_SCORE = 95.0
PLACE_SPAN_MIN_SCORE = 90.0
REGEX_EXTRACTOR = "BuiltinRegexExtractor"


class BuiltinNlu:
    """Intent classifier + entity extractors behind the :class:`bot.ports.Nlu` port."""

    def __init__(
        self,
        model: IntentModel,
        normalizer: Normalizer,
        lookups: LookupExtractor,
        *,
        references: Sequence[str] = (),
        places: PlaceLookup | None = None,
        threshold: float = 0.55,
    ) -> None:
        self.model = model
        self.normalizer = normalizer
        self.lookups = lookups
        self.places = places
        self._may_name_place = PlaceFilter.of(places) if places is not None else None
        self.threshold = threshold
        # Report codes ("TT-7K3Q9M") hold digits and "k"s that must not read as money.
        self._references = [re.compile(p) for p in references]

    @classmethod
    def train(
        cls,
        nlu_data_dir: Path,
        *,
        places: PlaceLookup | None = None,
        threshold: float = 0.55,
        cache_dir: Path | None = None,
        tables_dir: Path | None = None,
    ) -> BuiltinNlu:
        """Train (or load from ``cache_dir``, default ``var/nlu-cache/``) from a Rasa project.

        ``tables_dir`` (default ``data/nlu/``) holds ``abbreviations.yml`` and
        ``entity_rules.yml``. Raises :class:`bot.nlu.data.NluDataError` on invalid data.
        """
        tables = tables_dir or DEFAULT_TABLES_DIR
        abbreviations = tables / "abbreviations.yml"
        rules_file = tables / "entity_rules.yml"
        normalizer = Normalizer.from_file(abbreviations)
        rules = EntityRules.from_file(rules_file) if rules_file.is_file() else EntityRules()
        data = load_project(nlu_data_dir)
        cache = cache_dir or DEFAULT_CACHE_DIR
        key = classifier.cache_key([*training_files(nlu_data_dir), abbreviations])
        model = classifier.load_cached(cache, key)
        if model is None:
            started = time.perf_counter()
            docs = [_doc(normalizer(e.text)) for e in data.examples]
            model = IntentModel.train(docs, [e.intent for e in data.examples])
            log.info(
                "trained NLU on %d examples in %.2fs", len(docs), time.perf_counter() - started
            )
            classifier.save_cached(cache, key, model)
        lookups = LookupExtractor(data, normalizer, rules)
        return cls(
            model,
            normalizer,
            lookups,
            references=data.regexes.get("report_ref", ()),
            places=places,
            threshold=threshold,
        )

    def retrained(self, examples: Sequence[Example]) -> BuiltinNlu:
        """The same NLU with an intent model fitted on ``examples`` only (cross-validation)."""
        docs = [_doc(self.normalizer(e.text)) for e in examples]
        model = IntentModel.train(docs, [e.intent for e in examples])
        clone = BuiltinNlu(
            model, self.normalizer, self.lookups, places=self.places, threshold=self.threshold
        )
        clone._references = self._references
        return clone

    async def parse(self, text: str) -> JSON:
        """Rasa ``/model/parse`` JSON for ``text`` (CPU-bound, ~0.1 ms: run inline)."""
        return self.parse_sync(text)

    def parse_sync(self, text: str) -> JSON:
        """The same as :meth:`parse`, synchronously. Never raises on a ``str``."""
        text = text if isinstance(text, str) else str(text)
        norm = self.normalizer(text)
        if not norm.tokens:
            return self._answer(text, [], [])
        ranking = self.model.rank(_doc(norm))
        intent = ranking[0][0] if ranking and ranking[0][1] >= self.threshold else ""
        return self._answer(text, ranking, self._entities(norm, intent))

    def entity_value(self, entity: str, text: str) -> dict[str, Any] | None:
        """The built-in reading of ``text`` that another extractor (Rasa's DIET) labelled
        ``entity``: the fields to set (``value``; for a place also ``village_id`` and
        ``commune_code``), or None when ``text`` does not read as that entity.

        ``amount`` -> int đồng ("1tr5" -> 1500000), ``people_count`` -> int ("5 người" -> 5),
        lookup types -> the canonical value of the synonyms ("bi ngap" -> "flood"), ``place``
        -> the gazetteer's display name (only with a gazetteer). Other types keep the text.
        """
        if entity == "amount":
            money = parse_money(text)
            return None if money is None else {"value": money}
        if entity == "people_count":
            count = parse_count(text)
            return None if count is None or not 0 < count < 100 else {"value": count}
        if entity in LOOKUP_ENTITIES:
            if text in self.lookups.values.get(entity, ()):
                return {"value": text}  # already canonical
            found = self.lookups.extract(self.normalizer(text), context=False)
            same = [e for e in found if e["entity"] == entity]
            return {"value": same[0]["value"]} if same else None
        if entity == "report_ref":
            codes = [m.group() for p in self._references for m in p.finditer(text)]
            return {"value": canonical_ref(codes[0])} if codes else None
        if entity == "place":
            if self.places is None:
                return {"value": text}
            places = extract_place(self.normalizer(text), self.places, PLACE_SPAN_MIN_SCORE)
            if not places:
                return None
            keys = ("value", "village_id", "commune_code")
            return {k: places[0][k] for k in keys}
        return {"value": text}

    def _entities(self, norm: Normalized, intent: str) -> list[dict[str, Any]]:
        counts = extract_people_counts(norm)
        refs = self._report_refs(norm)
        taken = [(e["start"], e["end"]) for e in counts + refs]
        rules = self.lookups.rules
        lookups = self.lookups.extract(
            norm, skip=rules.skipped(intent), plain_ok=rules.plain_ok(intent)
        )
        found = lookups + counts + refs + extract_amounts(norm, taken)
        if self.places is not None and (self._may_name_place is None or self._may_name_place(norm)):
            found += extract_place(norm, self.places, PLACE_MIN_SCORE)
        return sorted(found, key=lambda e: (e["start"], e["end"]))

    def _report_refs(self, norm: Normalized) -> list[dict[str, Any]]:
        """Report codes ("TT-7K3Q9M", "tt7k3q9m") as ``report_ref`` entities, canonical case."""
        out = []
        for pattern in self._references:
            for m in pattern.finditer(norm.text):
                if m.end() > m.start():
                    start, end = norm.span(*m.span())
                    value = canonical_ref(m.group())
                    out.append(rasa_entity("report_ref", value, start, end, REGEX_EXTRACTOR))
        return out

    def _answer(
        self, text: str, ranking: list[tuple[str, float]], entities: list[dict[str, Any]]
    ) -> JSON:
        ranked: list[dict[str, Any]] = [
            {"name": n, "confidence": round(p, 6)} for n, p in ranking[:RANKING_LENGTH]
        ]
        best = ranking[0][1] if ranking else 0.0
        if not ranked or best < self.threshold:
            # As Rasa's FallbackClassifier: the threshold as confidence, real candidates kept.
            fallback = {"name": FALLBACK_INTENT, "confidence": self.threshold}
            return {
                "text": text,
                "intent": fallback,
                "entities": entities,
                "intent_ranking": [dict(fallback), *ranked],
            }
        return {
            "text": text,
            "intent": dict(ranked[0]),
            "entities": entities,
            "intent_ranking": ranked,
        }


def canonical_ref(code: str) -> str:
    """``"tt7k3q9m"`` / ``"TT-7K3Q9M"`` -> ``"TT-7K3Q9M"`` (two letters, a hyphen, six)."""
    plain = "".join(ch for ch in code if ch.isalnum()).upper()
    return f"{plain[:2]}-{plain[2:]}"


def _doc(norm: Normalized) -> classifier.Doc:
    return (norm.folded, norm.accented)
