"""Review windows and forms (QĐ 24/2021/QĐ-TTg; NĐ 20/2021 Mẫu số 06)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.policy import Policy


@pytest.mark.parametrize(
    ("day", "start", "end", "is_open"),
    [
        (date(2026, 8, 31), "2026-09-01", "2026-12-14", False),
        (date(2026, 9, 1), "2026-09-01", "2026-12-14", True),
        (date(2026, 12, 14), "2026-09-01", "2026-12-14", True),
        (date(2026, 12, 15), "2027-09-01", "2027-12-14", False),
    ],
)
def test_yearly_window(policy: Policy, day: date, start: str, end: str, is_open: bool) -> None:
    periodic = policy.review_info(day)["periodic"]
    assert (periodic["start"], periodic["end"], periodic["open"]) == (start, end, is_open)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 1), "2026-03-15"),
        (date(2026, 3, 15), "2026-03-15"),
        (date(2026, 3, 16), "2026-04-15"),
        (date(2026, 12, 20), "2027-01-15"),
    ],
)
def test_next_monthly_review(policy: Policy, day: date, expected: str) -> None:
    assert policy.review_info(day)["monthly"]["next"] == expected


def test_forms_and_paths(policy: Policy) -> None:
    info = policy.review_info(date(2026, 11, 22))
    forms = info["forms"]
    assert [forms[k]["number"] for k in ("mau_01", "mau_04", "mau_06")] == [
        "Mẫu số 01",
        "Mẫu số 04",
        "Mẫu số 06",
    ]
    assert all("Chủ tịch UBND" in f["to"]["vi"] for f in forms.values())
    assert "thoát nghèo" in forms["mau_04"]["name"]["vi"]
    assert "Tổ tiết kiệm và vay vốn" in info["loans_path"]["text"]["vi"]
    assert "Điểm giao dịch" in info["loans_path"]["text"]["vi"]
    civil = info["civil_registration"]
    assert "khai sinh" in civil["birth"]["text"]["vi"] and "UBND xã" in civil["birth"]["text"]["vi"]
    assert "khai tử" in civil["death"]["text"]["vi"] and "UBND xã" in civil["death"]["text"]["vi"]
    assert info["indicative"]["text"]["en"]
