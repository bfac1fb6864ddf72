"""Step kinds through the client: the ways residents answer, and what is refused."""

from __future__ import annotations

import pytest

from bot.engine.engine import Engine
from bot.engine.steps import STEPS
from bot.engine.steps.yes_no import read_yes_no
from tests.dialogs.client import Client


def at_hazard(engine: Engine, channel: str = "telegram") -> Client:
    """A disaster report filed for bản Panh, at the hazard question."""
    client = Client(engine, channel=channel)
    for text in ("3", "không", "bản Panh"):
        client.send(text)
    assert client.session is not None and client.session["step"] == "hazard"
    return client


def at_income(engine: Engine) -> Client:
    client = Client(engine)
    for text in ("1", "4", "không rõ", "1"):
        client.send(text)
    assert client.session is not None and client.session["step"] == "income"
    return client


@pytest.mark.parametrize(
    "text", ["có", "co", "Có ạ", "ừ", "uh", "vâng", "vang", "dạ", "ok", "đúng", "yes", "y", "1"]
)
def test_yes_spellings(text: str) -> None:
    assert read_yes_no(text) == "yes"


@pytest.mark.parametrize(
    "text", ["không", "khong", "ko", "k", "kg", "hông", "no", "n", "2", "chưa", "Không ạ"]
)
def test_no_spellings(text: str) -> None:
    assert read_yes_no(text) == "no"


@pytest.mark.parametrize("text", ["không biết", "ko biet", "kb", "chưa biết", "?"])
def test_unknown_spellings(text: str) -> None:
    assert read_yes_no(text) == "unknown"


@pytest.mark.parametrize("text", ["có lẽ", "mai", "", "🙂", "3 con gà", "khong co gi ca"])
def test_not_yes_or_no(text: str) -> None:
    assert read_yes_no(text) is None


@pytest.mark.parametrize(
    ("answer", "hazard"),
    [
        ("2", "landslide"),
        ("Sạt lở, nứt đất", "landslide"),
        ("sat lo, nut dat", "landslide"),
        ("nhà em bị ngập", "flood"),
        ("lu quet", "flash_flood"),
        ("5", "fire"),
        ("nhà em bị sập", "collapse"),  # no button of its own ("also"), still understood
    ],
)
def test_choice_takes_number_title_unaccented_or_keyword(
    engine: Engine, answer: str, hazard: str
) -> None:
    client = at_hazard(engine)
    client.send(answer)
    assert client.session is not None
    assert client.session["slots"]["hazard"] == hazard
    assert client.session["step"] == "people"


def test_choice_refuses_ambiguous_keywords(engine: Engine) -> None:
    client = at_hazard(engine)
    no_entity = {"intent": {"name": "report_disaster", "confidence": 0.9}, "entities": []}
    client.send("ngập và sạt lở", no_entity)  # two options named: ask again, keep nothing
    assert client.session is not None
    assert client.session["step"] == "hazard" and "hazard" not in client.session["slots"]


@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        ("1,3", ["elderly", "disabled"]),
        ("1 3", ["elderly", "disabled"]),
        ("2;4", ["children", "pregnant"]),
        ("5", []),
        ("1,5", []),
    ],
)
def test_multi_choice_typed_numbers(engine: Engine, typed: str, chosen: list[str]) -> None:
    client = at_hazard(engine, "sms")
    for text in ("1", "4", typed):
        client.send(text)
    assert client.session is not None
    vulnerable = [v for v in client.session["slots"]["vulnerable"] if v != "none"]
    assert vulnerable == chosen
    assert client.session["step"] == "house"


def test_an_exclusive_none_answers_at_once(engine: Engine) -> None:
    client = at_hazard(engine)
    first = client.send("1")  # flood; now the people question
    first = client.send("4")
    assert "Xong" not in first.buttons  # "Không có ai" is how to say none
    assert len(first.buttons) == 5
    client.click("Không có ai")
    assert client.session is not None
    assert client.session["slots"]["vulnerable"] == ["none"]
    assert client.session["step"] == "house"


def test_a_ticked_multi_choice_shows_done_within_five_buttons(engine: Engine) -> None:
    client = at_hazard(engine)
    client.send("1")
    client.send("4")
    ticked = client.click("Người già")
    four = ["✓ Người già", "Trẻ nhỏ", "Người khuyết tật", "Phụ nữ có thai"]
    assert ticked.buttons == [*four, "Xong"]
    untick = client.click("✓ Người già")
    assert untick.buttons[-1] == "Không có ai" and "Xong" not in untick.buttons
    client.click("Trẻ nhỏ")
    client.click("Xong")
    assert client.session is not None and client.session["slots"]["vulnerable"] == ["children"]


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1tr5", 1_500_000), ("1,5 triệu", 1_500_000), ("800k", 800_000), ("2 củ", 2_000_000)],
)
def test_money_with_unit_is_taken_at_once(engine: Engine, typed: str, amount: int) -> None:
    client = at_income(engine)
    client.send(typed)
    assert client.session is not None
    assert client.session["slots"]["income_amount"] == amount


def test_bare_number_is_confirmed_first(engine: Engine) -> None:
    client = at_income(engine)
    client.send("1500")
    assert client.last is not None and "1.500.000 đồng" in client.last.texts[0]
    assert client.session is not None and "income_amount" not in client.session["slots"]
    client.send("có")
    assert client.session["slots"]["income_amount"] == 1_500_000


def test_known_village_is_offered_and_other_village_asked(engine: Engine) -> None:
    client = Client(engine, village_id="04105:nà cang")
    client.send("1")
    client.send("4")
    assert client.last is not None and "bản Nà Cang, xã Mai Sơn" in client.last.texts[-1]
    client.click("Nơi khác")
    client.send("ban panh")
    assert client.session is not None
    assert client.session["slots"]["village_id"] == "03664:panh"
    assert client.last is not None
    assert [a.name for a in client.last.actions] == ["contact.update"]


def test_commune_only_place_is_kept_with_the_typed_text(engine: Engine) -> None:
    client = Client(engine)
    client.send("3")
    client.send("không")
    client.send("bản Xa Lạ, xã Mai Sơn")
    assert client.session is not None
    slots = client.session["slots"]
    assert slots["commune_code"] == "04105" and slots["village_id"] is None
    assert "bản Xa Lạ" in slots["place"]


def test_location_and_photo_are_skipped_on_sms(engine: Engine) -> None:
    client = at_hazard(engine, "sms")
    for text in ("1", "4", "5", "5"):  # flood, 4 people, nobody vulnerable, house fine
        client.send(text)
    assert client.session is not None and client.session["flow"] is None  # done, nothing more
    report = client.executor.reports[-1]
    assert report["location"] is None and report["photos"] == []
    assert report["details"]["house_state"] == "ok" and report["details"]["stay"] is None


def test_every_kind_is_registered_once_with_its_own_name() -> None:
    assert all(kind == step.kind for kind, step in STEPS.items())
    assert len(STEPS) == 13


def test_unknown_village_is_kept_as_typed_after_two_misses_in_a_disaster(engine: Engine) -> None:
    client = Client(engine)
    client.send("3")
    client.send("không")
    for _ in range(2):
        client.send("bản Huổi Không Có")
        assert client.session is not None and client.session["step"] == "village"
    client.send("bản Huổi Không Có")
    assert client.session is not None
    assert client.session["step"] == "hazard"  # filed with the place as typed
    assert client.session["slots"]["place"] == "bản Huổi Không Có"
    assert client.executor.reports[-1]["details"]["place"] == "bản Huổi Không Có"
    assert client.session["slots"]["commune_code"] is None


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("TT-KXQMNP", "TT-KXQMNP"),  # the store's codes may be all letters
        ("tt kxqmnp", "TT-KXQMNP"),
        ("bd7k3q9m", "BD-7K3Q9M"),
        ("TT-000123", "TT-000123"),
    ],
)
def test_reference_codes_as_residents_type_them(typed: str, canonical: str) -> None:
    from bot.engine.functions.common import ref_code

    assert ref_code(None, typed) == canonical  # type: ignore[arg-type]
