"""Bad policy data fails at load with the file and key named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.policy import Policy, PolicyDataError

Editor = Callable[..., Path]


def _set_rural(data: dict) -> None:
    data["standards"][0]["income_line"]["values"]["rural"] = "1tr5"


def _overlap(data: dict) -> None:
    data["standards"][1]["valid_from"] = date(2026, 12, 31)


def _unknown_indicator(data: dict) -> None:
    data["standards"][1]["indicators"]["keys"].append("electricity")


def _typo(data: dict) -> None:
    data["standards"][0]["incme_line"] = data["standards"][0].pop("income_line")


def _average_below_line(data: dict) -> None:
    data["standards"][0]["average_upper"]["values"]["urban"] = 2_000_000


def _bad_dimension(data: dict) -> None:
    data["indicators"]["water"]["dimension"] = "plumbing"


def _bad_confidence(data: dict) -> None:
    data["indicators"]["telecom"]["confidence"] = "maybe"


def _loan_overlap(data: dict) -> None:
    data["programs"][0]["versions"][0]["valid_to"] = date(2025, 12, 1)


def _bad_class(data: dict) -> None:
    data["supports"][0]["for_classes"] = ["poorest"]


def _bad_window(data: dict) -> None:
    data["periodic"]["end"] = "02-30"


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        ("standards.yml", _set_rural, "standards[nd07_2021].income_line.values.rural"),
        ("standards.yml", _overlap, "overlap"),
        ("standards.yml", _unknown_indicator, "standards[nd351_2025].indicators.keys"),
        ("standards.yml", _typo, "standards[nd07_2021].incme_line"),
        ("standards.yml", _average_below_line, "average_upper must be above"),
        ("indicators.yml", _bad_dimension, "'plumbing'"),
        ("indicators.yml", _bad_confidence, "indicators.telecom.confidence"),
        ("loans.yml", _loan_overlap, "loan 'poor' versions"),
        ("supports.yml", _bad_class, "supports[health_insurance_free].for_classes[0]"),
        ("review.yml", _bad_window, "periodic"),
    ],
)
def test_bad_data_names_file_and_key(edited: Editor, name: str, change, expected: str) -> None:
    folder = edited(name, change)
    with pytest.raises(PolicyDataError) as caught:
        Policy.load(folder)
    assert name in str(caught.value)
    assert expected in str(caught.value)


def test_missing_file_and_broken_yaml(edited: Editor) -> None:
    folder = edited("loans.yml", lambda data: None)
    (folder / "loans.yml").write_text("programs: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyDataError, match=r"loans\.yml: not valid YAML"):
        Policy.load(folder)
    (folder / "loans.yml").unlink()
    with pytest.raises(PolicyDataError, match=r"loans\.yml: cannot read"):
        Policy.load(folder)


def test_version_override_replaces_only_what_it_names(edited: Editor) -> None:
    def clear_note(data: dict) -> None:
        data["programs"][0]["versions"][1]["max_note"] = None
        data["programs"][0]["versions"][1]["term_months"] = 60

    policy = Policy.load(edited("loans.yml", clear_note))
    old, new = (policy.loan_program("poor", d) for d in (date(2025, 1, 1), date(2026, 1, 1)))
    assert old.max_note is not None and old.term_months == 120
    assert new.max_note is None and new.term_months == 60
    assert new.max_amount == old.max_amount == 100_000_000


def test_real_data_loads(policy_dir: Path) -> None:
    assert [s.id for s in Policy.load(policy_dir).standards()] == ["nd07_2021", "nd351_2025"]
