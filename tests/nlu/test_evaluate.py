"""Scores of bot.nlu.evaluate against hand-computed figures."""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu.data import EntitySpan, Example
from bot.nlu.evaluate import evaluate

EXAMPLES = [
    Example("a", "greet", (EntitySpan("hazard", "flood", 0, 1),)),
    Example("b", "greet"),
    Example("c", "deny"),
    Example("d", "affirm", (EntitySpan("amount", "1tr", 0, 1),)),
]
ANSWERS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "a": ("greet", [{"entity": "hazard", "value": "flood", "start": 0, "end": 1}]),
    "b": ("deny", [{"entity": "hazard", "value": "storm", "start": 0, "end": 1}]),
    "c": ("deny", []),
    "d": ("nlu_fallback", [{"entity": "amount", "value": 1_000_000, "start": 0, "end": 1}]),
}


def _parse(text: str) -> dict[str, Any]:
    intent, entities = ANSWERS[text]
    return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities}


def test_scores() -> None:
    report = evaluate(_parse, EXAMPLES)
    assert report.accuracy == 0.5
    scores = report.intent_scores()
    # greet: p 1/1, r 1/2 -> f1 2/3; deny: p 1/2, r 1/1 -> 2/3; affirm: 0
    assert scores["greet"][2] == pytest.approx(2 / 3)
    assert scores["deny"][2] == pytest.approx(2 / 3)
    assert scores["affirm"] == (0.0, 0.0, 0.0, 1)
    assert report.macro_f1 == pytest.approx(4 / 9)
    assert report.confusions() == [("affirm", "nlu_fallback", 1), ("greet", "deny", 1)]
    # entities: hazard 1 right of 2 found; amount span-only (text vs int) right
    assert (report.entity_expected, report.entity_predicted, report.entity_correct) == (2, 3, 2)
    assert report.entity_f1 == pytest.approx(2 * (2 / 3) * 1 / (2 / 3 + 1))
    assert report.entity_scores()["hazard"] == (0.5, 1.0, pytest.approx(2 / 3), 1)
