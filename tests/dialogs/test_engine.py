"""Engine contract: purity, JSON sessions, wants_nlu, first contact, expiry, NLU routing."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta

import pytest

from bot.domain.consent import CONSENT_VERSION
from bot.engine.engine import Engine
from bot.engine.types import ContactInfo, Input
from tests.dialogs.client import START, Client

CONTACT = ContactInfo(id=1, address="sim:a", rendering="telegram", notice_seen=True)


def inp(text: str = "", *, now: datetime = START, **kw: object) -> Input:
    return Input(now, CONTACT, text=text, **kw)  # type: ignore[arg-type]


def test_step_does_not_change_the_callers_session(engine: Engine) -> None:
    session = engine.step(None, inp("1")).session
    before = copy.deepcopy(session)
    engine.step(session, inp("bản Panh"))
    assert session == before


def test_same_input_same_output(engine: Engine) -> None:
    session = engine.step(None, inp("3")).session
    a, b = engine.step(session, inp("có")), engine.step(session, inp("có"))
    assert (a.session, a.replies, a.action) == (b.session, b.replies, b.action)


def test_session_is_plain_json(engine: Engine) -> None:
    session = engine.step(None, inp("3")).session
    assert json.loads(json.dumps(session)) == session


def test_first_contact_gets_the_notice_then_the_menu(engine: Engine) -> None:
    client = Client(engine, notice_seen=False)
    client.send("alo")
    assert client.last is not None
    notice = client.last.texts[0]
    assert "lưu tin nhắn" in notice and '"bảo mật"' in notice  # short; the full text on request
    assert "13/2023" not in notice
    consent = {"notice_seen": True, "consent_version": CONSENT_VERSION}  # recorded with it
    assert [a.args for a in client.last.actions] == [consent]
    assert "Kiểm tra hộ nghèo/cận nghèo" in client.last.buttons
    client.send("xin chào")
    assert client.last is not None and not client.last.actions  # the notice is shown once
    client.send("bảo mật")
    assert "Nghị định 13/2023/NĐ-CP" in client.last.texts[0]


@pytest.mark.parametrize(
    ("session_text", "text", "expected"),
    [
        (None, "nhà em bị ngập", True),  # outside a flow: free text
        (None, "1", False),  # a menu number
        (None, "Kiểm tra hộ nghèo/cận nghèo", False),  # a menu title
        (None, "huỷ", False),  # a command
        (None, "", False),
        ("3", "có", False),  # the yes/no step takes it
        ("3", "nhà em bị ngập", True),  # it cannot
    ],
)
def test_wants_nlu(engine: Engine, session_text: str | None, text: str, expected: bool) -> None:
    session = engine.step(None, inp(session_text)).session if session_text else None
    assert engine.wants_nlu(session, inp(text)) is expected


def test_buttons_locations_and_photos_never_need_nlu(engine: Engine) -> None:
    assert engine.wants_nlu(None, inp("x", button="menu:main:1")) is False
    assert engine.wants_nlu(None, inp("x", media=("p",))) is False


def test_expiry_works_with_naive_and_aware_clocks(engine: Engine) -> None:
    session = engine.step(None, inp("3")).session
    later = START.replace(tzinfo=None) + timedelta(hours=2)
    turn = engine.step(session, inp("có", now=later))
    assert turn.session["paused"] is True
    assert "Tiếp tục" in [b.title for r in turn.replies for b in r.buttons]


def test_not_expired_within_the_timeout(engine: Engine) -> None:
    session = engine.step(None, inp("3")).session
    turn = engine.step(session, inp("có", now=START + timedelta(seconds=1799)))
    assert turn.session["paused"] is False and turn.session["step"] != "danger"


def test_a_session_from_an_older_flow_file_restarts_cleanly(engine: Engine) -> None:
    session = engine.step(None, inp("3")).session
    session["step"] = "removed_step"
    turn = engine.step(session, inp("hello", nlu={"intent": {"name": "greet"}, "entities": []}))
    assert turn.session["flow"] is None and turn.replies


def test_nlu_intent_starts_a_flow_with_entities(engine: Engine) -> None:
    nlu = {
        "intent": {"name": "report_disaster", "confidence": 0.95},
        "entities": [
            {"entity": "hazard", "value": "landslide"},
            {"entity": "people_count", "value": 4},
        ],
    }
    client = Client(engine)
    client.send("nhà em sạt lở, 4 người", nlu)
    client.send("không")
    assert client.session is not None
    assert client.session["step"] == "village"  # the place first: the report is filed then
    client.send("bản Panh")
    slots = client.session["slots"]
    assert slots["hazard"] == "landslide" and slots["people"] == 4
    assert client.session["step"] == "vulnerable"
    assert [a.name for a in client.executor.calls][-2:] == ["report.submit", "report.update"]


@pytest.mark.parametrize(
    ("intent", "flow"),
    [
        ("check_eligibility", "eligibility"),
        ("report_household_change", "household_change"),
        ("ask_loan_programs", "loans"),
        ("subscribe_notices", "subscribe"),
        ("check_report_status", "report_status"),
        ("talk_to_officer", "handover"),
    ],
)
def test_every_intent_starts_its_flow(engine: Engine, intent: str, flow: str) -> None:
    turn = engine.step(None, inp("...", nlu={"intent": {"name": intent}, "entities": []}))
    assert turn.session["flow"] == flow


def test_unsubscribe_intent_turns_every_topic_off(engine: Engine) -> None:
    turn = engine.step(None, inp("...", nlu={"intent": {"name": "unsubscribe_notices"}}))
    assert turn.action is not None
    assert turn.action.args == {
        "topics": ["loans", "disaster_warnings", "village_notices"],
        "on": False,
    }


def test_a_lost_action_result_is_forgotten_on_the_next_input(engine: Engine) -> None:
    client = Client(engine)
    client.send("gặp cán bộ")
    turn = engine.step(client.session, inp("bỏ qua"))
    assert turn.action is not None and turn.session["await"] is not None
    # the pipeline crashed: no resume; the next input starts from the saved session
    again = engine.step(client.session, inp("bỏ qua"))
    assert again.action is not None and again.action.name == "report.submit"


def test_english_contact_reads_english(engine: Engine) -> None:
    client = Client(engine, language="en")
    client.send("3")
    assert client.last is not None and client.last.texts == ["Is anyone in danger right now?"]
