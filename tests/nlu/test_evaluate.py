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


def _answer(intent: str, *entities: dict[str, Any], ranking: Any = ()) -> dict[str, Any]:
    top = {"name": intent, "confidence": 0.9}
    return {"text": "", "intent": top, "entities": list(entities),
            "intent_ranking": [top, *ranking]}  # fmt: skip


def test_entities_count_only_with_the_exact_value_on_overlapping_words() -> None:
    text = "nha 5 nguoi thu nhap 1tr2 1 thang"
    example = Example(
        text, "check_eligibility",
        (EntitySpan("people_count", "5", 4, 11), EntitySpan("amount", "1200000", 21, 25)),
    )  # fmt: skip
    right = _answer(
        "check_eligibility",
        {"entity": "people_count", "value": 5, "start": 4, "end": 5},  # overlap is enough
        {"entity": "amount", "value": 1_200_000, "start": 21, "end": 25},
    )
    wrong = _answer(
        "check_eligibility",
        {"entity": "people_count", "value": 5, "start": 4, "end": 11},
        {"entity": "amount", "value": 1_200_001, "start": 21, "end": 33},  # "+1 tháng"
        {"entity": "amount", "value": 1_200_000, "start": 0, "end": 3},  # right value, elsewhere
    )
    assert evaluate(lambda _: right, [example]).entity_scores()["amount"] == (1.0, 1.0, 1.0, 1)
    report = evaluate(lambda _: wrong, [example])
    assert report.entity_scores()["amount"] == (0.0, 0.0, 0.0, 1)
    assert report.entity_scores()["people_count"] == (1.0, 1.0, 1.0, 1)


def test_fallback_rate_categories_and_where_the_bot_goes() -> None:
    from bot.config import ROOT
    from bot.engine.routing import intent_flows

    INTENT_FLOWS = intent_flows(ROOT / "dialogs")

    examples = [
        Example("a", "report_disaster", (), "disaster_plea"),
        Example("b", "report_disaster", (), "disaster_plea"),
        Example("c", "check_eligibility", (), "ordinary"),
        Example("d", "greet", (), "ordinary"),
    ]
    hazard = {"entity": "hazard", "value": "flood", "start": 0, "end": 1}
    answers = {
        # unsure, but the hazard points to the disaster journey: started
        "a": _answer("nlu_fallback", hazard, ranking=[{"name": "help", "confidence": 0.4}]),
        # unsure between two journeys: offered in the two-option question
        "b": _answer("nlu_fallback", ranking=[{"name": "report_disaster", "confidence": 0.5},
                                              {"name": "ask_loan_programs", "confidence": 0.4}]),
        "c": _answer("nlu_fallback"),  # nothing to go on: the menu
        "d": _answer("greet"),
    }  # fmt: skip
    report = evaluate(lambda t: answers[t], examples, intent_flows=INTENT_FLOWS)
    assert report.accuracy == 0.25 and report.fallback_rate == 0.75
    assert report.category_scores() == {"disaster_plea": (0.0, 1.0, 2), "ordinary": (0.5, 0.5, 2)}
    # only the three messages that should start a journey are followed
    assert report.routes == {"started": 1, "offered": 1, "menu": 1}
    assert report.route_shares()["wrong"] == 0.0
