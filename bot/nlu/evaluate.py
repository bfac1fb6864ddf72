"""Score an NLU on Rasa test data: intent accuracy, macro F1, confusions, entity P/R/F1.

A prediction counts as right only when its intent is the labelled one (an ``nlu_fallback``
is wrong). Entities count as found when type, start and end agree, and for the lookup types
(canonical values) the value too; ``amount``/``people_count``/``place`` values are parsed
numbers or gazetteer names on our side and text in Rasa's annotations, so only their spans
are compared.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.nlu.data import Example
from bot.textnorm import strip_diacritics

_VALUE_CHECKED = {"hazard", "change_type", "topic", "loan_program"}
ENTITY_TYPES = ("hazard", "change_type", "topic", "loan_program", "amount", "people_count")
ALL_ENTITY_TYPES = (*ENTITY_TYPES, "place")  # place needs an NLU with a gazetteer


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(slots=True)
class Report:
    """What :func:`evaluate` measured."""

    total: int = 0
    correct: int = 0
    entity_expected: int = 0
    entity_predicted: int = 0
    entity_correct: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[tuple[str, str, str, float]] = field(default_factory=list)  # text, want, got, p
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)  # (want, got) -> count
    by_entity: dict[str, list[int]] = field(default_factory=dict)  # type -> [want, got, right]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

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
    return Example(strip_diacritics(example.text), example.intent, example.entities)


def _key(entity: str, start: int, end: int, value: Any) -> tuple[Any, ...]:
    return (entity, start, end, value if entity in _VALUE_CHECKED else None)


def evaluate(
    parse: Callable[[str], dict[str, Any]],
    examples: Iterable[Example],
    entity_types: Sequence[str] = ENTITY_TYPES,
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
        if got == ex.intent:
            report.correct += 1
        else:
            report.errors.append((ex.text, ex.intent, got, conf))
        want = {
            _key(s.entity, s.start, s.end, s.value) for s in ex.entities if s.entity in entity_types
        }
        found = {
            _key(e["entity"], e["start"], e["end"], e["value"])
            for e in result["entities"]
            if e["entity"] in entity_types
        }
        report.entity_expected += len(want)
        report.entity_predicted += len(found)
        report.entity_correct += len(want & found)
        for name in entity_types:
            counts = report.by_entity.setdefault(name, [0, 0, 0])
            counts[0] += sum(1 for k in want if k[0] == name)
            counts[1] += sum(1 for k in found if k[0] == name)
            counts[2] += sum(1 for k in want & found if k[0] == name)
    return report
