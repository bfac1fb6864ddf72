"""Entity extraction: every type, with and without diacritics, spans into the original text."""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu.builtin import BuiltinNlu

from .conftest import FakePlaces


def ents(nlu: BuiltinNlu, text: str, kind: str | None = None) -> list[tuple[str, Any, str]]:
    """(entity, value, the original text under the span)."""
    found = nlu.parse_sync(text)["entities"]
    return [
        (e["entity"], e["value"], text[e["start"] : e["end"]])
        for e in found
        if kind is None or e["entity"] == kind
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nhà em bị ngập rồi", [("hazard", "flood", "ngập")]),
        ("nha em bi ngap roi", [("hazard", "flood", "ngap")]),
        ("Nha E Bi NGAAAP", [("hazard", "flood", "NGAAAP")]),
        ("sau nhà sạt lở đất", [("hazard", "landslide", "sạt lở đất")]),
        ("lu quet ve ban", [("hazard", "flash_flood", "lu quet")]),  # not "lu" = flood
        ("nhà sập rồi", [("hazard", "collapse", "nhà sập")]),
        ("bão to quá", [("hazard", "storm", "bão")]),
        ("gio toc mai nha e", [("hazard", "storm", "toc mai")]),
    ],
)
def test_hazard(nlu: BuiltinNlu, text: str, expected: list[tuple[str, Any, str]]) -> None:
    assert ents(nlu, text, "hazard") == expected


@pytest.mark.parametrize(
    "text", ["bao cho xa giup e", "báo cho xã", "bây giờ bao nhiêu", "nha e sap xong"]
)
def test_ambiguous_unaccented_words_are_not_hazards(nlu: BuiltinNlu, text: str) -> None:
    # "bao" is báo (report) as often as bão (storm); "sap" is sắp (soon) or sập.
    assert ents(nlu, text, "hazard") == []


@pytest.mark.parametrize(
    ("text", "value", "surface"),
    [
        ("vợ em vừa sinh con", "birth", "sinh con"),
        ("vo e vua de", "birth", "vua de"),
        ("bố em mất rồi", "death", "mất"),
        ("bo e qua doi roi", "death", "qua doi"),
        ("chong e moi mat viec", "job_loss", "mat viec"),  # not death
        ("con gái lấy chồng rồi", "marriage", "lấy chồng"),
        ("em muon tach ho", "split", "tach ho"),
        ("con e di lam xa o binh duong", "work_away", "di lam xa"),
        ("con di xkld roi", "work_away", "di xkld"),
        ("chau e chuyen di roi", "move_out", "chuyen di"),
        ("vo e om nang", "illness", "om nang"),
        ("nhà dột hết rồi", "house_damage", "nhà dột"),
        ("nhà em thoát nghèo rồi", "exit_poverty", "thoát nghèo"),
    ],
)
def test_change_type(nlu: BuiltinNlu, text: str, value: str, surface: str) -> None:
    assert ents(nlu, text, "change_type") == [("change_type", value, surface)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vay hộ nghèo lãi bao nhiêu", [("loan_program", "poor", "vay hộ nghèo")]),
        ("vay can ngheo ntn", [("loan_program", "near_poor", "vay can ngheo")]),
        ("vay hssv can gi", [("loan_program", "students", "hssv")]),
        ("vay nuoc sach", [("loan_program", "water_sanitation", "nuoc sach")]),
        (
            "ho dan toc thieu so co dc vay ko",
            [("loan_program", "ethnic_minority", "dan toc thieu so")],
        ),
        # Without a word about loans "hộ nghèo" is not a loan programme.
        ("nhà em có phải hộ nghèo không", []),
    ],
)
def test_loan_program(nlu: BuiltinNlu, text: str, expected: list[tuple[str, Any, str]]) -> None:
    assert ents(nlu, text, "loan_program") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("đăng ký nhận cảnh báo thiên tai", [("topic", "disaster_warnings", "cảnh báo thiên tai")]),
        ("huy nhan tin vay von", [("topic", "loans", "vay von")]),
        ("cho e nhan thong bao cua ban", [("topic", "village_notices", "thong bao cua ban")]),
        ("thời tiết hôm nay đẹp", []),  # not about receiving notices
    ],
)
def test_topic(nlu: BuiltinNlu, text: str, expected: list[tuple[str, Any, str]]) -> None:
    assert ents(nlu, text, "topic") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thu nhập 1tr5 mỗi tháng", [("amount", 1_500_000, "1tr5")]),
        ("thu nhap 2 cu", [("amount", 2_000_000, "2 cu")]),
        ("muốn vay 50 triệu", [("amount", 50_000_000, "50 triệu")]),
        ("không đồng ý", []),  # "không đồng" is not 0 đồng
        ("mã TT-9X4K2P", []),  # a report code holds "4K" but is not money
    ],
)
def test_amount(nlu: BuiltinNlu, text: str, expected: list[tuple[str, Any, str]]) -> None:
    assert ents(nlu, text, "amount") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nhà 5 người", [("people_count", 5, "5 người")]),
        ("nha 4 khau", [("people_count", 4, "4 khau")]),
        ("co 6 nguoi", [("people_count", 6, "6 nguoi")]),
        ("nhà có 5 ng", [("people_count", 5, "5 ng")]),
        ("hộ mười hai nhân khẩu", [("people_count", 12, "mười hai nhân khẩu")]),
        ("có người bị kẹt", []),
        # "one person" right after an amount is "per person", not a household of one
        ("thu nhập 1tr6 một người", []),
        ("mỗi tháng 2 triệu một người", []),
        ("nhà em có 1 người", [("people_count", 1, "1 người")]),
    ],
)
def test_people_count(nlu: BuiltinNlu, text: str, expected: list[tuple[str, Any, str]]) -> None:
    assert ents(nlu, text, "people_count") == expected


def test_people_count_is_not_also_money(nlu: BuiltinNlu) -> None:
    # "5 ng" could read as 5 nghìn; as a count of people it must not be an amount too.
    assert ents(nlu, "nha co 5 ng thu nhap 3 trieu") == [
        ("people_count", 5, "5 ng"),
        ("amount", 3_000_000, "3 trieu"),
    ]


def test_place_from_injected_gazetteer(nlu: BuiltinNlu, places: FakePlaces) -> None:
    with_places = BuiltinNlu(nlu.model, nlu.normalizer, nlu.lookups, places=places)
    for text, surface in [
        ("Nhà em ở bản Panh bị ngập", "bản Panh"),
        ("nha e o ban panh", "ban panh"),
    ]:
        found = [e for e in with_places.parse_sync(text)["entities"] if e["entity"] == "place"]
        assert len(found) == 1
        place = found[0]
        assert text[place["start"] : place["end"]] == surface
        assert place["value"] == "bản Panh"
        assert place["village_id"] == "03664:panh" and place["commune_code"] == "03664"


def test_place_commune_only(nlu: BuiltinNlu, places: FakePlaces) -> None:
    with_places = BuiltinNlu(nlu.model, nlu.normalizer, nlu.lookups, places=places)
    text = "cho e gap can bo  xa Mu Ca"
    (place,) = [e for e in with_places.parse_sync(text)["entities"] if e["entity"] == "place"]
    assert place["value"] == "xã Mù Cả" and place["village_id"] is None
    assert text[place["start"] : place["end"]] == "xa Mu Ca"


def test_no_place_without_gazetteer_or_match(nlu: BuiltinNlu, places: FakePlaces) -> None:
    assert ents(nlu, "nhà em ở bản Panh", "place") == []
    with_places = BuiltinNlu(nlu.model, nlu.normalizer, nlu.lookups, places=places)
    assert [
        e for e in with_places.parse_sync("nha e bi ngap")["entities"] if e["entity"] == "place"
    ] == []


def test_a_failing_gazetteer_does_not_break_parsing(nlu: BuiltinNlu) -> None:
    class Broken(FakePlaces):
        def match(self, text: str, *, commune_code: str | None = None, limit: int = 5) -> list:  # type: ignore[type-arg]
            raise RuntimeError("boom")

    with_places = BuiltinNlu(nlu.model, nlu.normalizer, nlu.lookups, places=Broken())
    result = with_places.parse_sync("nhà em ở bản Panh bị ngập")
    assert [e["entity"] for e in result["entities"]] == ["hazard"]


def test_entity_shape(nlu: BuiltinNlu) -> None:
    (entity,) = nlu.parse_sync("nha e bi ngap")["entities"]
    assert entity == {
        "entity": "hazard",
        "start": 9,
        "end": 13,
        "value": "flood",
        "confidence": 1.0,
        "extractor": "BuiltinLookupExtractor",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mã TT-7K3Q9M của em sao rồi", [("report_ref", "TT-7K3Q9M", "TT-7K3Q9M")]),
        ("ma tt7k3q9m", [("report_ref", "TT-7K3Q9M", "tt7k3q9m")]),
        ("TT-ABCDEF", []),  # a code always holds a digit
    ],
)
def test_report_ref(nlu: BuiltinNlu, text: str, expected: list[tuple[str, Any, str]]) -> None:
    assert ents(nlu, text, "report_ref") == expected
    assert ents(nlu, text, "amount") == []  # "7K" inside a code is not 7,000 đồng


@pytest.mark.parametrize(
    ("text", "intent", "kept", "dropped"),
    [
        # a disaster report: "cuốn mất" is no death, "nhà nứt" is the hazard (cracks)
        ("lũ cuốn mất trâu nhà em rồi", "report_disaster", "hazard", "change_type"),
        ("mưa to quá nhà nứt hết tường", "report_disaster", "hazard", "change_type"),
        # a household change: the damage is the change type, not a hazard to report
        ("em muốn báo nhà hỏng do bão cho xã cập nhật", "report_household_change", "change_type",
         "hazard"),
    ],
)  # fmt: skip
def test_readings_that_contradict_the_understood_journey_are_dropped(
    nlu: BuiltinNlu, text: str, intent: str, kept: str, dropped: str
) -> None:
    result = nlu.parse_sync(text)
    assert result["intent"]["name"] == intent
    types = {e["entity"] for e in result["entities"]}
    assert kept in types and dropped not in types
    # an unsure parse keeps every reading: the entities are what route it
    unsure = BuiltinNlu(nlu.model, nlu.normalizer, nlu.lookups, threshold=1.0).parse_sync(text)
    assert dropped in {e["entity"] for e in unsure["entities"]}


def test_plain_ambiguous_hazard_words_count_in_a_disaster_report(nlu: BuiltinNlu) -> None:
    # "nut" alone is nút (button) or nứt (crack); in a disaster report it is the crack
    assert nlu.parse_sync("tuong nha nut toac ra het roi")["intent"]["name"] == "report_disaster"
    assert ents(nlu, "tuong nha nut toac ra het roi", "hazard") == [("hazard", "landslide", "nut")]
    assert ents(nlu, "cho em hoi cai nut nay bam the nao", "hazard") == []
