"""Score an NLU on Rasa test data: intent accuracy, fallback rate, macro F1, confusions,
accuracy per category, the journey each parse leads to, and entity P/R/F1 per type.

A prediction counts as right only when its intent is the labelled one (an ``nlu_fallback``
is wrong and is also counted apart, as the fallback rate). An entity counts as found when a
predicted entity of the same type overlaps the labelled words and has exactly the labelled
value: the canonical value for the lookup types, the int for ``amount`` / ``people_count``
(labelled ``{"value": "1200000"}``) and the gazetteer's display name for ``place`` (labelled
``{"value": "bản Nà Cang"}``). Older annotations without a value (``[1tr5](amount)``) are
scored on the overlap alone. Each labelled entity matches at most one predicted one.

With ``intent_flows`` (the engine's intent -> journey table) every message whose intent starts
a journey is also followed through :func:`bot.engine.clarify.route`, as the bot would: the
right journey started, the right journey offered in the two-option question, a wrong journey,
or no journey at all (the menu).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.engine.clarify import route
from bot.nlu.data import EntitySpan, Example
from bot.textnorm import fold, strip_diacritics

_LOOKUPS = {"hazard", "change_type", "topic", "loan_program"}
ENTITY_TYPES = ("hazard", "change_type", "topic", "loan_program", "amount", "people_count")
ALL_ENTITY_TYPES = (*ENTITY_TYPES, "place")  # place needs an NLU with a gazetteer
FALLBACK_INTENT = "nlu_fallback"
ROUTES = ("started", "offered", "wrong", "menu")  # what the bot did with a journey's message


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(slots=True)
class Report:
    """What :func:`evaluate` measured."""

    total: int = 0
    correct: int = 0
    fallbacks: int = 0
    entity_expected: int = 0
    entity_predicted: int = 0
    entity_correct: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[tuple[str, str, str, float]] = field(default_factory=list)  # text, want, got, p
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)  # (want, got) -> count
    by_entity: dict[str, list[int]] = field(default_factory=dict)  # type -> [want, got, right]
    by_category: dict[str, list[int]] = field(default_factory=dict)  # -> [n, right, fallback]
    routes: Counter[str] = field(default_factory=Counter)  # ROUTES -> count

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.total if self.total else 0.0

    def category_scores(self) -> dict[str, tuple[float, float, int]]:
        """Per category: accuracy, fallback rate and the number of messages."""
        return {
            name: (right / n, fallback / n, n)
            for name, (n, right, fallback) in sorted(self.by_category.items())
            if n
        }

    def route_shares(self) -> dict[str, float]:
        """Shares of :data:`ROUTES` among the messages that should start a journey."""
        n = sum(self.routes.values())
        return {k: self.routes[k] / n if n else 0.0 for k in ROUTES}

    @property
    def entity_precision(self) -> float:
        return self.entity_correct / self.entity_predicted if self.entity_predicted else 0.0

    @property
    def entity_recall(self) -> float:
        return self.entity_correct / self.entity_expected if self.entity_expected else 0.0

    @property
    def entity_f1(self) -> float:
        return f1(self.entity_precision, self.entity_recall)

    def intent_scores(self) -> dict[str, tuple[float, float, float, int]]:
        """Per labelled intent: precision, recall, F1 and support."""
        out: dict[str, tuple[float, float, float, int]] = {}
        for intent in sorted({w for w, _ in self.pairs}):
            right = self.pairs[(intent, intent)]
            support = sum(n for (w, _), n in self.pairs.items() if w == intent)
            predicted = sum(n for (_, g), n in self.pairs.items() if g == intent)
            p = right / predicted if predicted else 0.0
            r = right / support if support else 0.0
            out[intent] = (p, r, f1(p, r), support)
        return out

    @property
    def macro_f1(self) -> float:
        """Unweighted mean of the per-intent F1 over the intents of the test set."""
        scores = self.intent_scores()
        return sum(s[2] for s in scores.values()) / len(scores) if scores else 0.0

    def confusions(self) -> list[tuple[str, str, int]]:
        """(labelled, predicted, count) for every wrong pair, most frequent first."""
        wrong = [(w, g, n) for (w, g), n in self.pairs.items() if w != g]
        return sorted(wrong, key=lambda x: (-x[2], x[0], x[1]))

    def entity_scores(self) -> dict[str, tuple[float, float, float, int]]:
        """Per entity type: precision, recall, F1 and the number labelled."""
        out: dict[str, tuple[float, float, float, int]] = {}
        for name, (want, got, right) in sorted(self.by_entity.items()):
            p = right / got if got else 0.0
            r = right / want if want else 0.0
            out[name] = (p, r, f1(p, r), want)
        return out

    def percentile_ms(self, q: float) -> float:
        """Latency percentile (``q`` in 0..100) over the parses made."""
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def without_diacritics(example: Example) -> Example:
    """The same example typed without diacritics (spans keep their offsets)."""
    return Example(
        strip_diacritics(example.text), example.intent, example.entities, example.category
    )


def _same_value(want: EntitySpan, text: str, got: Any) -> bool:
    """Whether a predicted value is the labelled one (see the module docstring)."""
    if want.entity in _LOOKUPS:
        return str(got) == want.value
    if want.entity in ("amount", "people_count"):
        return not want.value.isdigit() or str(got) == want.value
    if want.entity == "place" and want.value != text[want.start : want.end]:
        return fold(str(got)) == fold(want.value)
    return True


def match_entities(
    ex: Example, predicted: Sequence[dict[str, Any]], entity_types: Sequence[str]
) -> tuple[list[EntitySpan], list[dict[str, Any]], list[str]]:
    """(labelled, predicted, types of the matched pairs) among ``entity_types``, one-to-one."""
    want = [s for s in ex.entities if s.entity in entity_types]
    found = [e for e in predicted if e.get("entity") in entity_types]
    free = list(found)
    matched: list[str] = []
    for w in want:
        for e in free:
            overlap = int(e["start"]) < w.end and w.start < int(e["end"])
            if e["entity"] == w.entity and overlap and _same_value(w, ex.text, e.get("value")):
                free.remove(e)
                matched.append(w.entity)
                break
    return want, found, matched


def _route(result: dict[str, Any], want: str, intent_flows: dict[str, str]) -> str:
    flows = route(result, intent_flows)
    if flows == [intent_flows[want]]:
        return "started"
    if intent_flows[want] in flows and len(flows) > 1:
        return "offered"
    return "wrong" if flows else "menu"


def evaluate(
    parse: Callable[[str], dict[str, Any]],
    examples: Iterable[Example],
    entity_types: Sequence[str] = ENTITY_TYPES,
    intent_flows: dict[str, str] | None = None,
) -> Report:
    """Run ``parse`` over ``examples`` and score it; only ``entity_types`` are scored."""
    report = Report()
    for ex in examples:
        started = time.perf_counter()
        result = parse(ex.text)
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        report.total += 1
        got, conf = result["intent"]["name"], float(result["intent"]["confidence"])
        report.pairs[(ex.intent, got)] += 1
        category = report.by_category.setdefault(ex.category or "uncategorised", [0, 0, 0])
        category[0] += 1
        if got == ex.intent:
            report.correct += 1
            category[1] += 1
        else:
            report.errors.append((ex.text, ex.intent, got, conf))
        if got == FALLBACK_INTENT:
            report.fallbacks += 1
            category[2] += 1
        if intent_flows and ex.intent in intent_flows:
            report.routes[_route(result, ex.intent, intent_flows)] += 1
        want, found, matched = match_entities(ex, result["entities"], entity_types)
        report.entity_expected += len(want)
        report.entity_predicted += len(found)
        report.entity_correct += len(matched)
        for name in entity_types:
            counts = report.by_entity.setdefault(name, [0, 0, 0])
            counts[0] += sum(1 for w in want if w.entity == name)
            counts[1] += sum(1 for e in found if e["entity"] == name)
            counts[2] += matched.count(name)
    return report
