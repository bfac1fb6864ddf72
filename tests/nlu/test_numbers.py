"""Amounts and counts the way villagers write them (the engine's ask-money step relies on these)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.nlu.numbers import find_amounts, guess_money, parse_count, parse_money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1tr5", 1_500_000),
        ("1,5 triệu", 1_500_000),
        ("1.5 tr", 1_500_000),
        ("1.500.000đ", 1_500_000),
        ("1,500,000 vnd", 1_500_000),
        ("1500000", 1_500_000),
        ("800k", 800_000),
        ("900 ngàn", 900_000),
        ("2 củ", 2_000_000),
        ("2 cu", 2_000_000),
        ("một triệu rưỡi", 1_500_000),
        ("mot trieu ruoi", 1_500_000),
        ("1 triệu 200 nghìn", 1_200_000),
        ("1 trieu 2", 1_200_000),
        ("một triệu hai", 1_200_000),
        ("1tr25", 1_250_000),
        ("hai trăm năm mươi nghìn", 250_000),
        ("năm trăm nghìn", 500_000),
        ("hai mươi mốt triệu", 21_000_000),
        ("mười hai triệu", 12_000_000),
        ("3 lít", 300_000),
        ("khoảng 2 triệu một tháng", 2_000_000),
        ("một triệu hai mỗi tháng", 1_200_000),
        ("thu nhập 1tr5 một tháng", 1_500_000),
        ("0", 0),
        ("0 đồng", 0),
    ],
)
def test_parse_money_reads_village_spellings(text: str, expected: int) -> None:
    assert parse_money(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ko biet",
        "🙂",
        "1500",
        "nhà 5 người",
        "1tr và 2tr",
        "\x00\x07",
        "không đồng ý",
        "TT-9X4K2P",
    ],
)
def test_parse_money_refuses_what_is_not_one_amount(text: str) -> None:
    assert parse_money(text) is None


def test_guess_money_offers_a_reading_to_confirm() -> None:
    assert guess_money("1.5") == 1_500_000
    assert guess_money("800") == 800_000
    assert guess_money("1500") == 1_500_000
    assert guess_money("abc") is None
    assert guess_money("1500000") is None  # already unambiguous: parse_money reads it


def test_find_amounts_points_into_the_original_text() -> None:
    text = "Nhà em thu nhập 1tr5 mỗi tháng, có 5 người"
    [amount] = find_amounts(text)
    assert text[amount.start : amount.end] == "1tr5"
    assert amount.value == 1_500_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5),
        ("năm người", 5),
        ("nam", 5),
        ("muoi hai", 12),
        ("nha co 4 nguoi", 4),
        ("abc", None),
    ],
)
def test_parse_count(text: str, expected: int | None) -> None:
    assert parse_count(text) == expected


@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    parse_money(text)
    guess_money(text)
    parse_count(text)
    for amount in find_amounts(text):
        assert 0 <= amount.start < amount.end <= len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vay 50tr làm chuồng trại", [(4, 8, 50_000_000)]),  # "làm" (do), not "lăm" (5)
        ("vay 50tr lam chuong trai", [(4, 8, 50_000_000)]),
        ("2 triệu lăm", [(0, 11, 2_500_000)]),
        ("2 trieu lam", [(0, 11, 2_500_000)]),  # plain, nothing after: the numeral
        ("hai muoi lam nghin", [(0, 18, 25_000)]),  # after "mươi" always the numeral
        ("nhà em đi làm xa", []),  # no digit and no unit: nothing to read
    ],
)
def test_lam_is_five_only_where_it_can_be(text: str, expected: list[tuple[int, int, int]]) -> None:
    assert [(a.start, a.end, a.value) for a in find_amounts(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a number word after the currency unit counts something else, never the money
        ("thu nhập 1.200.000 đồng một tháng", [(9, 23, 1_200_000)]),
        ("1.500.000 đ hai người", [(0, 11, 1_500_000)]),
        ("800 nghìn đồng mỗi tháng", [(0, 14, 800_000)]),
        ("1 triệu đồng một tháng", [(0, 12, 1_000_000)]),
    ],
)
def test_the_currency_word_ends_an_amount(text: str, expected: list[tuple[int, int, int]]) -> None:
    assert [(a.start, a.end, a.value) for a in find_amounts(text)] == expected
