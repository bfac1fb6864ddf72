"""Phone normalisation: every way a Vietnamese number is written gives one URN."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.phones import normalize_phone, phone_urn

SAME = [
    "0912345678",
    "84912345678",
    "+84912345678",
    "+84 91 234 5678",
    "(+84) 912.345.678",
    "0084912345678",
    "+840912345678",
    "091-234-5678",
    " 0912 345 678 ",
    "912345678",
]


@pytest.mark.parametrize("raw", SAME)
def test_vietnamese_mobile_forms_are_one_number(raw: str) -> None:
    assert normalize_phone(raw) == "+84912345678"
    assert phone_urn(raw) == "tel:+84912345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("02123852123", "+842123852123"),  # Sơn La landline (area code 212), 10 subscriber digits
        ("+1 415 555 0100", "+14155550100"),
        ("14155550100", "+14155550100"),  # Telegram shares international numbers without "+"
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_landlines_and_foreign_numbers(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "abc", "0912", "+84", "091234567890123", "+84 0 0", "84-12", "+12", "123456789"]
)
def test_not_a_phone_number(raw: str) -> None:
    assert normalize_phone(raw) is None
    assert phone_urn(raw) is None


@given(st.text(max_size=30))
def test_never_raises_and_result_is_e164(raw: str) -> None:
    got = normalize_phone(raw)
    assert got is None or (got[0] == "+" and got[1:].isdigit() and 8 <= len(got) - 1 <= 15)


@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True))
def test_national_and_international_forms_agree(national: str) -> None:
    assert normalize_phone(national) == normalize_phone("+84" + national[1:])
    assert normalize_phone(national) == normalize_phone("84" + national[1:])
