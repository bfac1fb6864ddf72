"""integrations/sms_common: phone numbers, opt-out keywords, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.common import mask, retry_after_seconds
from integrations.sms_common import e164, opt_event, tel_urn, urn_phone
from integrations.sms_common.keywords import VIETNAMESE_START, VIETNAMESE_STOP


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "+84912345678"),  # national form
        ("84912345678", "+84912345678"),  # country code without +
        ("+84912345678", "+84912345678"),
        ("+84 91 234 5678", "+84912345678"),
        ("091-234-5678", "+84912345678"),
        ("0084912345678", "+84912345678"),  # international prefix
        ("02438251234", "+842438251234"),  # Hanoi landline keeps its area code
        ("+14155550123", "+14155550123"),  # other countries keep theirs
        ("191", None),  # Viettel short code
        ("Viettel", None),  # brand-name sender
        ("", None),
    ],
)
def test_e164(raw: str, expected: str | None) -> None:
    assert e164(raw) == expected
    assert tel_urn(raw) == (f"tel:{expected}" if expected else None)


def test_urn_phone_and_mask() -> None:
    assert urn_phone("tel:+84912345678") == "+84912345678"
    for bad in ("telegram:123", "tel:abc"):
        with pytest.raises(ValueError):
            urn_phone(bad)
    assert mask("tel:+84912345678") == "tel:+8491****678"
    assert mask("tel:123") == "tel:***"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP", "stop"),
        (" stop. ", "stop"),
        ("StopAll", "stop"),
        ("OPTOUT", "stop"),
        ("REVOKE!", "stop"),
        ("STOP PLEASE", None),  # Twilio: single word only
        ("START", "start"),
        ("yes", "start"),
        ("UNSTOP", "start"),
        ("tu choi", None),  # Vietnamese phrases are not Twilio keywords
        ("nha toi bi ngap", None),
    ],
)
def test_twilio_keywords(text: str, expected: str | None) -> None:
    assert opt_event(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP", "stop"),
        ("Từ chối", "stop"),
        ("TU CHOI", "stop"),
        ("huỷ đăng ký", "stop"),
        ("HUY DK", "stop"),
        ("hủy nhận tin", "stop"),
        ("huỷ", None),  # cancels the current flow, not every message
        ("yes", None),  # not an opt-in on the Vietnamese gateway
        ("đăng ký lại", "start"),
        ("START", "start"),
    ],
)
def test_vietnamese_keywords(text: str, expected: str | None) -> None:
    assert opt_event(text, VIETNAMESE_STOP, VIETNAMESE_START) == expected


def test_retry_after() -> None:
    now = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("-3") == 0.0
    assert retry_after_seconds("Thu, 01 Jan 2026 00:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Wed, 31 Dec 2025 23:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
