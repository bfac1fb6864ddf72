"""What a poor family pays: billed SMS segments per journey, as the SMS adapters render them
(``bot.render`` with the default settings: 3 segments per message at most), for a resident who
writes without diacritics. Budgets from issue 11; ``bench/sms_cost.py`` prints the figures.

Also: on Zalo a multi-choice never pushes "Xong" into a separate "Lựa chọn khác" message."""

from __future__ import annotations

from datetime import datetime
from itertools import combinations

import pytest

from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.steps.choice import options
from bot.engine.types import Input
from bot.render import render
from tests.dialogs.client import ICT, START, Client, Exchange

NOTICE_BUDGET = 1
DISASTER_BUDGET = 8  # a whole report from first contact, sent by the bot
RESULT_BUDGET = 4  # the eligibility result screen


def segments(engine: Engine, ex: Exchange) -> int:
    rendered = render(
        ex.replies,
        "sms",
        sms_max_segments=Settings().sms_max_segments,
        numbered_hint=engine.text("sms.numbered_hint", "vi"),
    )
    return sum(int(m.segments or 0) for m in rendered)


def journey(engine: Engine, texts: list[str], now: datetime = START) -> tuple[Client, list[int]]:
    client = Client(engine, channel="sms", notice_seen=False, now=now)
    return client, [segments(engine, client.send(t)) for t in texts]


@pytest.mark.parametrize(
    "texts",
    [
        # flood, no danger, the place asked, a flooded house, still at home
        ["nha em bi ngap", "2", "ban nam nieu", "5", "5", "4", "1"],
        # someone in danger, the place in the first message, evacuated from an unsafe house
        ["nha em o ban nam nieu bi sat lo", "1", "4", "2", "2", "2"],
        # a collapsed house, nobody vulnerable, told to relocate: two supports to read
        ["nha em bi lu quet", "2", "ban panh", "3", "5", "1", "4"],
    ],
    ids=["flood", "danger", "collapsed_relocate"],
)
def test_a_whole_disaster_report_from_first_contact(real_engine: Engine, texts: list[str]) -> None:
    client, cost = journey(real_engine, texts)
    assert client.session is not None and client.session["flow"] is None  # the report is done
    report = client.executor.reports[-1]
    assert report["type"] == "disaster" and report["details"]["house_state"]
    assert sum(cost) <= DISASTER_BUDGET, cost
    first = client.history[0].text
    assert "BAO MAT" in first and first.isascii()  # the short notice, without diacritics


@pytest.mark.parametrize(
    "day", [START, datetime(2026, 12, 1, 9, tzinfo=ICT)], ids=["march", "review_window_open"]
)
def test_the_eligibility_result_screen(real_engine: Engine, day: datetime) -> None:
    texts = ["cho hoi kiem tra ho ngheo", "4", "ban na cang xa mai son", "60 trieu mot nam", "6"]
    client, cost = journey(real_engine, texts, day)
    answers = ["1", "2", "2", "2", "2", "2", "1"]  # work, insurance, house: lacking
    last = [segments(real_engine, client.send(a)) for a in answers][-1]
    assert client.last is not None and client.last.texts[0].startswith("Ket qua tham khao")
    assert last <= RESULT_BUDGET
    assert cost[0] <= 2  # the notice and the first question
    assert sum(cost) + last < 30  # the whole check (it took 78 segments before issue 11)


def test_a_resident_writing_with_diacritics_reads_them(real_engine: Engine) -> None:
    client = Client(real_engine, channel="sms", notice_seen=False)
    client.send("nhà em bị ngập")
    assert not client.history[-1].text.isascii()
    client.send("ko")  # says nothing about how they write: stays as it was
    assert "Ở bản nào" in client.history[-1].text
    client.send("ban nam nieu")  # without diacritics now: answered in kind
    assert all(r.text.isascii() for r in client.last.replies)  # type: ignore[union-attr]


def _multi_steps(engine: Engine) -> list[tuple[str, str]]:
    return [
        (flow.id, step.id)
        for flow in engine.flows.values()
        for step in flow.steps.values()
        if step.kind == "multi_choice"
    ]


@pytest.mark.parametrize("where", ["disaster.vulnerable", "subscribe.topics", "loans.topics"])
def test_zalo_never_pushes_done_into_a_separate_message(real_engine: Engine, where: str) -> None:
    flow_id, step_id = where.split(".")
    assert (flow_id, step_id) in _multi_steps(real_engine)
    client = Client(real_engine, channel="zalo")
    said = Input(client.now, client.contact, text="???")  # a miss: the question again
    base = real_engine.step(None, Input(client.now, client.contact, text="menu")).session
    d = real_engine.flows[flow_id].steps[step_id]
    values = [v for v, _, _ in options(real_engine._ctx(base, said), d)]
    exclusive = set(d.get("exclusive", ()))
    plain = [v for v in values if v not in exclusive]
    states = [list(c) for n in range(len(plain) + 1) for c in combinations(plain, n)]
    for chosen in states:
        session = {**base, "flow": flow_id, "step": step_id, "pending": {"sel": chosen}}
        turn = real_engine.step(session, said)
        rendered = render(turn.replies, "zalo")
        with_done = [m for m in rendered if any(b.title == "Xong" for b in m.buttons)]
        assert all(len(m.buttons) <= 5 for m in rendered)
        assert all(m.text != "Lựa chọn khác:" for m in with_done), (where, chosen)
        assert bool(with_done) == (bool(chosen) or not exclusive), (where, chosen)
