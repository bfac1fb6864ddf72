"""Policy look-ups by date: standards, indicators, supports, loans (QĐ 2553/QĐ-TTg cut)."""

from __future__ import annotations

import re
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
    insurance = by_key["health_insurance"]
    assert [deprived for _, deprived in insurance.options] == [False, True]
    assert "Còn người chưa có" in insurance.options[1][0]["vi"]
    for key in ("digital_services", "internet", "waste"):
        assert by_key[key].confidence == "U"
    for ind in by_key.values():
        question = ind.question["vi"]
        assert question.endswith("?"), ind.key
        assert ind.dimension in policy.dimensions()
        # No double negative: a question asked with yes/no never says "chưa có"/"không có"
        # before its final "không?" ("Không" would then be ambiguous).
        body = question.removesuffix("không?")
        assert not re.search(r"(chưa|không) (có|ai|dùng)", body), ind.key
        if ind.options:
            assert {d for _, d in ind.options} == {True, False}


def test_one_fact_is_counted_once(policy: Policy) -> None:
    day = date(2027, 6, 1)
    by_key = {i.key: i for i in policy.indicators(day)}
    # No phone at all: telecom is the fact; internet and digital services repeat it.
    assert by_key["internet"].skip_if_deprived == ("telecom",)
    assert set(by_key["digital_services"].skip_if_deprived) == {"telecom", "internet"}
    no_phone = policy.classify("rural", 1_000_000, ["telecom", "internet", "digital_services"], day)
    assert no_phone.counted == ("telecom",) and no_phone.klass == "near_poor"
    no_data = policy.classify("rural", 1_000_000, ["internet", "digital_services", "water"], day)
    assert no_data.counted == ("internet", "water")
    apart = policy.classify("rural", 1_000_000, ["water", "latrine", "waste"], day)
    assert apart.klass == "poor" and apart.deprivations == 3  # distinct facts still count


def test_chat_apps_answer_only_the_phone_and_internet_indicators(policy: Policy) -> None:
    inferred = {
        i.key
        for day in (date(2026, 6, 1), date(2027, 6, 1))
        for i in policy.indicators(day)
        if i.not_deprived_on_chat_apps
    }
    assert inferred == {"telecom", "internet"}


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
    assert "housing" in poor & near
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
    assert "từ 40 triệu" in found["disaster_house_lost"].detail["vi"]
    assert "từ 30 triệu" in found["disaster_urgent_relocation"].detail["vi"]
    assert "từ 20 triệu" in found["disaster_house_damaged"].detail["vi"]
    assert "above" in found["disaster_urgent_relocation"].for_classes  # any household
    assert "above" not in found["disaster_house_lost"].for_classes
    assert policy.review_info(date(2026, 8, 1))["forms"]["mau_06"]["number"] == "Mẫu số 06"
    assert all(s.legal_basis.startswith("Nghị định 20/2021") for s in found.values())
    # The conditions travel with the amounts: who, and which damage.
    assert "Hộ nghèo, cận nghèo" in found["disaster_house_lost"].detail["vi"]
    assert "không còn nơi ở" in found["disaster_house_lost"].detail["vi"]
    assert "quyết định của chính quyền" in found["disaster_urgent_relocation"].detail["vi"]
    assert "không ở được" in found["disaster_house_damaged"].detail["vi"]
    assert not {s.key for s in policy.supports_for("poor", date(2026, 8, 1))} & set(found)


def test_unconfirmed_amounts_defer_to_the_commune(policy: Policy) -> None:
    power = next(s for s in policy.supports_for("poor", date(2026, 1, 1)) if s.key == "electricity")
    assert "30 kWh" in power.detail["vi"]
    assert "xã sẽ xác nhận" in power.detail["vi"]
    assert power.confidence != "C"
