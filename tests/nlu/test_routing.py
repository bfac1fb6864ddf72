"""Where an unsure parse leads (bot/engine/clarify.py ``route``): entities settle it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import ROOT
from bot.engine.clarify import route
from bot.engine.routing import intent_flows

INTENT_FLOWS = intent_flows(ROOT / "dialogs")


def parse(intent: str, *ranked: tuple[str, float], entities: tuple[str, ...] = ()) -> Any:
    top = {"name": intent, "confidence": 0.55 if intent == "nlu_fallback" else 0.9}
    return {
        "text": "x",
        "intent": top,
        "entities": [{"entity": e, "value": "v", "start": 0, "end": 1} for e in entities],
        "intent_ranking": [top, *({"name": n, "confidence": c} for n, c in ranked)],
    }


@pytest.mark.parametrize(
    ("nlu", "expected"),
    [
        # a confident journey intent is not second-guessed by its entities
        (parse("check_report_status", entities=("hazard",)), ["report_status"]),
        # "bản Nà Cang ngập rồi giúp với": unsure, the hazard decides
        (parse("nlu_fallback", ("help", 0.5), ("report_disaster", 0.3), entities=("hazard",)),
         ["disaster"]),
        (parse("nlu_fallback", ("goodbye", 0.15), ("affirm", 0.1), entities=("hazard",)),
         ["disaster"]),
        (parse("nlu_fallback", ("greet", 0.4), entities=("change_type", "place")),
         ["household_change"]),
        (parse("nlu_fallback", ("thank", 0.3), entities=("loan_program",)), ["loans"]),
        (parse("nlu_fallback", ("help", 0.3), entities=("report_ref",)), ["report_status"]),
        # the two-option question already offers the pointed journey: keep asking
        (parse("nlu_fallback", ("report_disaster", 0.52), ("ask_loan_programs", 0.42),
               entities=("hazard",)), ["disaster", "loans"]),
        # another journey is likelier than the pointed one: ask between the two
        (parse("nlu_fallback", ("check_eligibility", 0.5), ("ask_loan_programs", 0.3),
               entities=("hazard",)), ["eligibility", "disaster"]),
        # two pointed journeys: ask, the likelier first
        (parse("nlu_fallback", ("ask_loan_programs", 0.4), ("report_disaster", 0.3),
               entities=("hazard", "loan_program")), ["loans", "disaster"]),
        # no entity: the ranking's two-option question, or the menu
        (parse("nlu_fallback", ("report_disaster", 0.5), ("talk_to_officer", 0.4)),
         ["disaster", "handover"]),
        (parse("nlu_fallback", ("report_disaster", 0.5), ("greet", 0.1)), []),
        # entities that name no journey (place, topic, amount) do not route
        (parse("nlu_fallback", ("greet", 0.5), entities=("place", "topic", "amount")), []),
        # help / greet / yes-no with a hazard: the hazard is the better guide
        (parse("help", entities=("hazard", "place")), ["disaster"]),
        (parse("deny", entities=("change_type",)), ["household_change"]),
        (parse("greet", entities=("place",)), []),
        # farewells stay farewells
        (parse("goodbye", entities=("hazard",)), []),
        (parse("thank", entities=("loan_program",)), []),
    ],
)  # fmt: skip
def test_route(nlu: Any, expected: list[str]) -> None:
    assert route(nlu, INTENT_FLOWS) == expected


def test_route_survives_broken_parses() -> None:
    assert route({}, INTENT_FLOWS) == []
    broken = {"intent": "x", "entities": [None, "hazard", {"entity": None}], "intent_ranking": [3]}
    assert route(broken, INTENT_FLOWS) == []
