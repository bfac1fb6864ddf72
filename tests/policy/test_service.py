"""Policy look-ups by date: standards, indicators, supports, loans (QĐ 2553/QĐ-TTg cut)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.policy import Policy
from bot.ports import PolicyService

BEFORE_CUT, AFTER_CUT = date(2025, 11, 30), date(2025, 12, 1)
# Oracle: VBSP rates (%/year) before and from 1 Dec 2025 (QĐ 2553/QĐ-TTg, reference §4.1).
RATES = {
    "poor": (6.6, 6.24),
    "near_poor": (7.92, 7.488),
    "newly_escaped": (8.25, 7.8),
    "students": (6.6, 6.24),
    "job_creation": (7.92, 7.488),
    "water_sanitation": (9.0, 8.4),
    "difficult_areas": (9.0, 7.8),
    "ethnic_minority": (3.3, 3.12),
}
ND07_KEYS = [
    "employment", "dependents", "nutrition", "health_insurance", "adult_education",
    "school_attendance", "housing_quality", "housing_area", "water", "latrine", "telecom",
    "information",
]  # fmt: skip


def test_policy_satisfies_the_port(policy: Policy) -> None:
    service: PolicyService = policy
    assert service.standard_on(date(2026, 1, 1)).id == "nd07_2021"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 1, 1), "nd07_2021"),
        (date(2025, 12, 31), "nd07_2021"),
        (date(2026, 12, 31), "nd07_2021"),  # kept in force through 2026
        (date(2027, 1, 1), "nd351_2025"),
        (date(2030, 12, 31), "nd351_2025"),
    ],
)
def test_standard_in_force(policy: Policy, day: date, expected: str) -> None:
    assert policy.standard_on(day).id == expected


def test_standard_confidence_is_the_weakest_part(policy: Policy) -> None:
    assert policy.standard_on(date(2026, 1, 1)).confidence == "C"
    assert policy.standard_on(date(2027, 1, 1)).confidence == "U"
    notes = policy.standard_notes(date(2027, 1, 1))
    assert notes["income_line"]["confidence"] == "C"
    assert notes["average_upper"]["confidence"] == "U"
    assert "xã" in notes["average_upper"]["note"]["vi"]


def test_indicators_in_order(policy: Policy) -> None:
    assert [i.key for i in policy.indicators(date(2026, 1, 1))] == ND07_KEYS
    new = [i.key for i in policy.indicators(date(2027, 1, 1))]
    assert "information" not in new
    assert {"digital_services", "internet", "waste"} <= set(new)
    assert set(ND07_KEYS) - {"information"} <= set(new)


def test_indicator_questions_and_conditions(policy: Policy) -> None:
    by_key = {i.key: i for i in policy.indicators(date(2027, 1, 1))}
    by_key |= {i.key: i for i in policy.indicators(date(2026, 1, 1))}
    assert len(by_key) == 15
    ask_if = {k: i.ask_if for k, i in by_key.items() if i.ask_if}
    assert ask_if == {
        "school_attendance": "has_children_3_15",
        "adult_education": "has_member_16_30",
        "nutrition": "has_child_under_16",
    }
    assert by_key["health_insurance"].question["vi"] == (
        "Nhà có ai từ 6 tuổi trở lên chưa có thẻ bảo hiểm y tế không?"
    )
    for key in ("digital_services", "internet", "waste"):
        assert by_key[key].confidence == "U"
    for ind in by_key.values():
        assert ind.question["vi"].endswith("không?") or ind.question["vi"].endswith(")")
        assert ind.dimension in policy.dimensions()


@pytest.mark.parametrize("key", sorted(RATES))
def test_loan_rate_changes_on_1_december_2025(policy: Policy, key: str) -> None:
    before, after = RATES[key]
    assert policy.loan_program(key, BEFORE_CUT).rate_percent == before
    assert policy.loan_program(key, AFTER_CUT).rate_percent == after


@pytest.mark.parametrize("day", [BEFORE_CUT, AFTER_CUT])
def test_near_poor_and_newly_escaped_follow_the_poor_rate(policy: Policy, day: date) -> None:
    poor = policy.loan_program("poor", day).rate_percent
    assert policy.loan_program("near_poor", day).rate_percent == pytest.approx(poor * 1.20)
    assert policy.loan_program("newly_escaped", day).rate_percent == pytest.approx(poor * 1.25)


def test_job_creation_under_decree_338_from_2026(policy: Policy) -> None:
    dec = policy.loan_program("job_creation", date(2025, 12, 31))
    jan = policy.loan_program("job_creation", date(2026, 1, 1))
    assert (dec.max_amount, dec.rate_percent) == (100_000_000, 7.488)
    assert (jan.max_amount, jan.rate_percent, jan.confidence) == (200_000_000, 7.92, "U")
    assert jan.rate_percent == round(
        policy.loan_program("poor", jan.valid_from).rate_percent * 1.27, 2
    )
    assert "338/2025" in jan.legal_basis


def test_loan_ceilings_and_terms(policy: Policy) -> None:
    loans = {p.key: p for p in policy.loan_programs(date(2026, 11, 22))}
    assert len(loans) == len(RATES)
    assert (loans["poor"].max_amount, loans["poor"].term_months) == (100_000_000, 120)
    assert (loans["water_sanitation"].max_amount, loans["water_sanitation"].term_months) == (
        25_000_000,
        60,
    )
    assert loans["students"].max_amount == 4_000_000
    assert "tháng" in loans["students"].max_note["vi"]
    assert loans["newly_escaped"].for_classes == ("newly_escaped",)
    assert "2553" in loans["poor"].legal_basis


def test_supports_by_class_and_date(policy: Policy) -> None:
    day = date(2026, 1, 1)
    poor = {s.key for s in policy.supports_for("poor", day)}
    near = {s.key for s in policy.supports_for("near_poor", day)}
    above = {s.key for s in policy.supports_for("above", day)}
    assert {"health_insurance_free", "electricity", "tuition_free", "housing"} <= poor
    assert "vbsp_loans" in poor & near
    assert "health_insurance_near_poor" in near - poor
    assert "electricity" not in near
    assert above == {"tuition_free"}
    assert "tuition_free" not in {s.key for s in policy.supports_for("poor", date(2025, 8, 31))}
    near_ins = [s for s in policy.supports_for("near_poor", day) if s.key.startswith("health")]
    assert "188/2025" in near_ins[0].legal_basis
    with pytest.raises(ValueError, match="'rich'"):
        policy.supports_for("rich", day)


def test_disaster_supports_decree_20_article_15(policy: Policy) -> None:
    found = {s.key: s for s in policy.disaster_supports(date(2026, 8, 1))}
    assert "40 triệu" in found["disaster_house_lost"].detail["vi"]
    assert "30 triệu" in found["disaster_urgent_relocation"].detail["vi"]
    assert "20 triệu" in found["disaster_house_damaged"].detail["vi"]
    assert "above" in found["disaster_urgent_relocation"].for_classes  # any household
    assert "above" not in found["disaster_house_lost"].for_classes
    assert all("Mẫu số 06" in s.detail["vi"] for s in found.values())
    assert not {s.key for s in policy.supports_for("poor", date(2026, 8, 1))} & set(found)


def test_unconfirmed_amounts_defer_to_the_commune(policy: Policy) -> None:
    power = next(s for s in policy.supports_for("poor", date(2026, 1, 1)) if s.key == "electricity")
    assert "30 kWh" in power.detail["vi"]
    assert "xã sẽ xác nhận" in power.detail["vi"]
    assert power.confidence != "C"
