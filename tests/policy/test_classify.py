"""The classification rule against the decree tables (NĐ 07/2021 Art. 3; NĐ 351/2025)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy import KLASS_ORDER, Policy

# Oracle, copied from the decrees (VND per person per month): line, average-band upper end.
ND07 = {"rural": (1_500_000, 2_250_000), "urban": (2_000_000, 3_000_000)}
ND351 = {"rural": (2_200_000, 3_300_000), "urban": (2_800_000, 4_200_000)}
IN_2026 = date(2026, 6, 1)
IN_2027 = date(2027, 6, 1)
THREE = ["water", "latrine", "housing_area"]


@pytest.mark.parametrize(
    ("day", "table"), [(IN_2026, ND07), (IN_2027, ND351)], ids=["nd07", "nd351"]
)
@pytest.mark.parametrize("area", ["rural", "urban"])
def test_decree_table_edges(policy: Policy, day: date, table: dict, area: str) -> None:
    line, upper = table[area]
    cases = [
        (0, THREE, "poor"),
        (line, THREE, "poor"),  # exactly on the line is still under it
        (line, THREE[:2], "near_poor"),  # 2 deprivations: near-poor
        (line, [], "near_poor"),
        (line + 1, THREE, "average"),  # one đồng above: deprivations no longer matter
        (upper, THREE, "average"),
        (upper + 1, [], "above"),
    ]
    for income, deprived, expected in cases:
        result = policy.classify(area, income, deprived, day)
        assert (income, result.klass) == (income, expected)
        assert result.income_line == line
        assert result.deprivations == len(deprived)


def test_urban_line_is_higher_than_rural(policy: Policy) -> None:
    income = 1_800_000  # between the 2022-2025 rural and urban lines
    assert policy.classify("rural", income, THREE, IN_2026).klass == "average"
    assert policy.classify("urban", income, THREE, IN_2026).klass == "poor"


def test_standard_switches_on_1_january_2027(policy: Policy) -> None:
    income = 2_000_000  # above the 2026 rural line, under the 2027 one
    last = policy.classify("rural", income, THREE, date(2026, 12, 31))
    first = policy.classify("rural", income, THREE, date(2027, 1, 1))
    assert (last.standard.id, last.klass, last.income_line) == ("nd07_2021", "average", 1_500_000)
    assert (first.standard.id, first.klass, first.income_line) == ("nd351_2025", "poor", 2_200_000)


def test_indicator_keys_belong_to_the_standard_in_force(policy: Policy) -> None:
    assert policy.classify("rural", 0, ["information"] * 3, IN_2026).deprivations == 1
    with pytest.raises(ValueError, match="'information'"):
        policy.classify("rural", 0, ["information"], IN_2027)
    with pytest.raises(ValueError, match="'internet'"):
        policy.classify("rural", 0, ["internet"], IN_2026)
    assert policy.classify("rural", 0, ["internet", "waste", "water"], IN_2027).klass == "poor"


def test_duplicates_count_once(policy: Policy) -> None:
    result = policy.classify("rural", 1_000_000, ["water", "water", "latrine", "water"], IN_2026)
    assert (result.klass, result.deprivations, result.counted) == (
        "near_poor",
        2,
        ("water", "latrine"),
    )


@pytest.mark.parametrize(
    ("area", "income", "deprived", "message"),
    [
        ("town", 1, [], "unknown area 'town'"),
        ("rural", -1, [], "negative"),
        ("rural", True, [], "whole number"),
        ("rural", 1.5, [], "whole number"),
        ("rural", "1500000", [], "whole number"),
        ("rural", 1, ["nope"], "unknown indicator 'nope'"),
        ("rural", 1, "water", "list"),
    ],
)
def test_bad_input_is_refused(policy: Policy, area, income, deprived, message) -> None:
    with pytest.raises(ValueError, match=message):
        policy.classify(area, income, deprived, IN_2026)


@pytest.mark.parametrize("day", [date(2021, 12, 31), date(2031, 1, 1)])
def test_dates_outside_every_standard_raise(policy: Policy, day: date) -> None:
    with pytest.raises(ValueError, match=day.isoformat()):
        policy.classify("rural", 1, [], day)


# Properties: poorer means earlier in KLASS_ORDER.
days = st.dates(min_value=date(2022, 1, 1), max_value=date(2030, 12, 31))
areas = st.sampled_from(["rural", "urban"])
incomes = st.integers(min_value=0, max_value=10_000_000)
KEYS_BOTH = sorted(
    {"employment", "dependents", "nutrition", "health_insurance", "adult_education"}
    | {"school_attendance", "housing_quality", "housing_area", "water", "latrine", "telecom"}
)  # indicators shared by both standards
subsets = st.lists(st.sampled_from(KEYS_BOTH), unique=True)


@given(day=days, area=areas, income=incomes, deprived=subsets, extra=subsets)
def test_more_deprivations_never_less_poor(policy, day, area, income, deprived, extra) -> None:
    fewer = policy.classify(area, income, deprived, day).klass
    more = policy.classify(area, income, deprived + extra, day).klass
    assert KLASS_ORDER.index(more) <= KLASS_ORDER.index(fewer)


@given(day=days, area=areas, income=incomes, rise=incomes, deprived=subsets)
def test_higher_income_never_poorer(policy, day, area, income, rise, deprived) -> None:
    low = policy.classify(area, income, deprived, day).klass
    high = policy.classify(area, income + rise, deprived, day).klass
    assert KLASS_ORDER.index(high) >= KLASS_ORDER.index(low)


@given(day=days, income=incomes, deprived=subsets)
def test_urban_never_less_poor_than_rural(policy, day, income, deprived) -> None:
    rural = policy.classify("rural", income, deprived, day).klass
    urban = policy.classify("urban", income, deprived, day).klass
    assert KLASS_ORDER.index(urban) <= KLASS_ORDER.index(rural)
