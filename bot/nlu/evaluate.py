"""Score an NLU on Rasa test data: intent accuracy and entity precision / recall.

A prediction counts as right only when its intent is the labelled one (an ``nlu_fallback``
is wrong). Entities count as found when type, start and end agree, and for the lookup types
(canonical values) the value too; ``amount``/``people_count`` values are parsed numbers on our
side and text in Rasa's annotations, so only their spans are compared.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.nlu.data import Example
from bot.textnorm import strip_diacritics

_VALUE_CHECKED = {"hazard", "change_type", "topic", "loan_program"}


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

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def entity_precision(self) -> float:
        return self.entity_correct / self.entity_predicted if self.entity_predicted else 0.0

    @property
    def entity_recall(self) -> float:
        return self.entity_correct / self.entity_expected if self.entity_expected else 0.0

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
    entity_types: Sequence[str] = (
        "hazard",
        "change_type",
        "topic",
        "loan_program",
        "amount",
        "people_count",
    ),
) -> Report:
    """Run ``parse`` over ``examples`` and score it; only ``entity_types`` are scored."""
    report = Report()
    for ex in examples:
        started = time.perf_counter()
        result = parse(ex.text)
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        report.total += 1
        got, conf = result["intent"]["name"], float(result["intent"]["confidence"])
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
    return report
