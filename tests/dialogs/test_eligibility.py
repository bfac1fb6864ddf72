"""Eligibility journey against the Decree 07/2021 table (rural 1.5 M, urban 2.0 M; poor needs
income <= line AND >= 3 of 12 deprivations; average up to 2.25 M rural / 3.0 M urban)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.engine.engine import Engine
from tests.dialogs.client import ICT, Client


def check(engine: Engine, place: str, size: int, mode: str, amount: str, deprived: int, *,
          now: datetime | None = None) -> tuple[Client, dict[str, object]]:  # fmt: skip
    client = Client(engine, now=now) if now else Client(engine)
    for text in ("1", place, str(size), mode, amount):
        client.send(text)
    answered = 0
    while client.session and client.session.get("step") in (
        "child_u16",
        "child_3_15",
        "member_16_30",
    ):
        client.send("không")
    while client.session and client.session.get("step") == "indicators":
        client.send("có" if answered < deprived else "không")
        answered += 1
    saved = [a for a in client.executor.calls if a.name == "eligibility.save"]
    assert len(saved) == 1
    return client, saved[0].args


@pytest.mark.parametrize(
    ("place", "mode", "amount", "deprived", "klass"),
    [
        ("bản Nà Cang xã Mai Sơn", "1", "1.500.000", 3, "poor"),
        ("bản Nà Cang xã Mai Sơn", "1", "1.500.000", 2, "near_poor"),
        ("bản Nà Cang xã Mai Sơn", "1", "1.500.001", 3, "average"),
        ("bản Nà Cang xã Mai Sơn", "1", "2.250.000", 0, "average"),
        ("bản Nà Cang xã Mai Sơn", "1", "2.250.001", 0, "above"),
        ("bản Nà Cang xã Mai Sơn", "2", "7tr5", 3, "poor"),  # 7.5 M / 5 people = 1.5 M
        ("bản Panh phường Chiềng An", "1", "2tr", 3, "poor"),
        ("bản Panh phường Chiềng An", "1", "2.000.001", 5, "average"),
        ("bản Panh phường Chiềng An", "1", "3tr", 0, "average"),
    ],
)
def test_class_follows_the_decree_table(
    engine: Engine, place: str, mode: str, amount: str, deprived: int, klass: str
) -> None:
    _, saved = check(engine, place, 5, mode, amount, deprived)
    assert saved["class"] == klass
    assert saved["standard"] == "nd07_2021"


def test_above_the_line_skips_every_indicator(engine: Engine) -> None:
    client, saved = check(engine, "bản Nà Cang xã Mai Sơn", 4, "1", "1tr6", 12)
    assert saved["deprived"] == []
    texts = [r.text for r in client.history]
    assert not any(t.startswith("(1/") for t in texts)
    assert any("cao hơn chuẩn 1.500.000 đồng" in t for t in texts)


def test_unsure_answers_count_as_not_deprived_and_are_noted(engine: Engine) -> None:
    client = Client(engine)
    for text in ("1", "bản Nà Cang xã Mai Sơn", "3", "1", "1tr", "không", "không"):
        client.send(text)
    for answer in ["có", "có", "không biết"] + ["không"] * 6:
        client.send(answer)
    saved = next(a for a in client.executor.calls if a.name == "eligibility.save")
    assert saved.args["class"] == "near_poor"
    assert any("bảo hiểm y tế" in t and "không thiếu hụt" in t for t in client.last.texts)  # type: ignore[union-attr]


def test_the_standard_in_force_on_the_day_is_used(engine: Engine) -> None:
    _, saved = check(engine, "bản Nà Cang xã Mai Sơn", 3, "1", "2tr1", 3,
                     now=datetime(2027, 3, 1, 9, tzinfo=ICT))  # fmt: skip
    assert saved["standard"] == "nd351_2025" and saved["class"] == "poor"  # line 2.2 M in 2027


def test_household_facts_decide_which_questions_apply(engine: Engine) -> None:
    client = Client(engine)
    for text in ("1", "bản Nà Cang xã Mai Sơn", "3", "1", "1tr", "có", "có", "có"):
        client.send(text)
    assert client.last is not None and "(1/12)" in client.last.texts[-1]
