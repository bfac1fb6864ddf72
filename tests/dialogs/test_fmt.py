"""How amounts and dates read in Vietnamese and English."""

from bot.engine import fmt


def test_money() -> None:
    assert fmt.money(1_500_000, "vi") == "1.500.000 đồng"
    assert fmt.money(1_500_000, "en") == "1,500,000 VND"


def test_millions() -> None:
    assert fmt.millions(100_000_000, "vi") == "100 triệu đồng"
    assert fmt.millions(2_500_000, "vi") == "2,5 triệu đồng"
    assert fmt.millions(1_234_567, "vi") == "1.234.567 đồng"


def test_percent_and_day() -> None:
    assert fmt.percent(6.24, "vi") == "6,24%"
    assert fmt.percent(7.488, "en") == "7.488%"
    assert fmt.day("2026-03-10T08:00:00+07:00") == "10/03/2026"
    assert fmt.day("garbage") == "garbage" and fmt.day(None) == "-"
