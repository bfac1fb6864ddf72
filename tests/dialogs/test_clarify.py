"""The clarifying question for low-confidence parses (bot/engine/clarify.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import ROOT
from bot.engine.clarify import options
from bot.engine.engine import Engine
from bot.engine.routing import intent_flows
from tests.dialogs.client import Client

INTENT_FLOWS = intent_flows(ROOT / "dialogs")


def _parse(*ranked: tuple[str, float], entities: list[Any] | None = None) -> dict[str, Any]:
    ranking = [{"name": n, "confidence": c} for n, c in ranked]
    return {
        "text": "x",
        "intent": {"name": "nlu_fallback", "confidence": 0.55},
        "entities": entities or [],
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.55}, *ranking],
    }


UNCLEAR = _parse(("report_disaster", 0.52), ("ask_loan_programs", 0.42), ("deny", 0.01))


@pytest.mark.parametrize(
    ("ranked", "expected"),
    [
        ([("report_disaster", 0.52), ("ask_loan_programs", 0.42)], ["disaster", "loans"]),
        # the ranking's order is not trusted: the likelier journey comes first
        ([("check_eligibility", 0.3), ("talk_to_officer", 0.45)], ["handover", "eligibility"]),
        # gibberish: the second candidate is thin
        ([("affirm", 0.21), ("report_household_change", 0.12)], []),
        ([("report_disaster", 0.5), ("check_eligibility", 0.19)], []),
        # one of the two is not a journey ("goodbye"), so no guessing between journeys
        ([("report_disaster", 0.33), ("goodbye", 0.27), ("check_eligibility", 0.2)], []),
        ([("report_disaster", 0.9)], []),
        ([], []),
    ],
)
def test_options(ranked: list[tuple[str, float]], expected: list[str]) -> None:
    assert options(_parse(*ranked), INTENT_FLOWS) == expected


def test_options_ignore_broken_rankings() -> None:
    assert options({"intent_ranking": ["junk", None, {"name": "x"}]}, INTENT_FLOWS) == []


def test_question_buttons_and_choice(engine: Engine) -> None:
    client = Client(engine)
    ex = client.send("nha em bi sap co duoc vay khong", UNCLEAR)
    assert ex.texts == ["Ý anh/chị là: báo thiên tai hay tìm hiểu vay vốn?"]
    assert ex.buttons == ["Báo thiên tai", "Tìm hiểu vay vốn", "Menu"]
    assert client.session is not None and client.session["clarify"] == ["disaster", "loans"]
    client.click("Tìm hiểu vay vốn")
    assert client.session["flow"] == "loans" and client.session["clarify"] is None


def test_menu_button_shows_the_menu(engine: Engine) -> None:
    client = Client(engine)
    client.send("nha em bi sap co duoc vay khong", UNCLEAR)
    ex = client.click("Menu")
    assert "Kiểm tra hộ nghèo/cận nghèo" in ex.buttons
    assert client.session is not None and client.session["clarify"] is None


def test_other_text_after_the_question_is_read_afresh(engine: Engine) -> None:
    client = Client(engine)
    client.send("nha em bi sap co duoc vay khong", UNCLEAR)
    greet = {"text": "chao", "intent": {"name": "greet", "confidence": 0.9}, "entities": []}
    ex = client.send("chao em", greet)
    assert ex.texts == ["Chào anh/chị! Em có thể giúp những việc sau ạ."]
    assert client.session is not None and client.session["clarify"] is None
    # "1" now means the main menu's first item again, not the first journey offered
    client.send("1")
    assert client.session["flow"] == "eligibility"


def test_an_old_clarify_button_starts_the_journey_without_old_entities(engine: Engine) -> None:
    client = Client(engine)
    hazard = {"entity": "hazard", "value": "collapse", "start": 0, "end": 3, "extractor": "t"}
    unclear = _parse(("report_disaster", 0.52), ("ask_loan_programs", 0.42), entities=[hazard])
    client.send("nha bi sap, vay duoc khong", unclear)
    client.click("Menu")
    client.click("Báo thiên tai")
    assert client.session is not None and client.session["flow"] == "disaster"
    assert client.session["prefill"] == {}


def test_a_clarify_button_inside_a_flow_is_stale(engine: Engine) -> None:
    client = Client(engine)
    client.send("nha em bi sap co duoc vay khong", UNCLEAR)
    client.click("Tìm hiểu vay vốn")
    ex = client.click("Báo thiên tai")
    assert ex.texts[0].startswith("Nút này đã cũ rồi ạ. Em hỏi lại câu hiện tại.")
    assert client.session is not None and client.session["flow"] == "loans"
