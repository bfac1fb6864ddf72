"""Rendering through both SMS adapters: numbered options, segment budget, unaccented mode.

The oracle for segment counts is the carriers' arithmetic written out by hand (GSM-7: one SMS
up to 160 septets, 153 per part beyond; UCS-2: 70 / 67 code units), not the code under test.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.domain.messages import Button, Reply
from bot.engine.texts import Catalog
from integrations.android_sms.adapter import AndroidSmsAdapter
from integrations.registry import AdapterDeps
from integrations.twilio_sms.adapter import TwilioSmsAdapter

ROOT = Path(__file__).resolve().parents[2]
CATALOG = Catalog.load(ROOT / "dialogs" / "locales")
MENU = (
    "menu.eligibility",
    "menu.household_change",
    "menu.disaster",
    "menu.loans",
    "menu.report_status",
    "menu.handover",
)
ADDRESS = "tel:+84912345678"


def texts(key: str, language: str) -> str:
    return CATALOG.text(language, key)


def adapter(kind: str, **values: Any) -> TwilioSmsAdapter | AndroidSmsAdapter:
    sections = {
        "twilio": {"enabled": True, "account_sid": "AC0", "auth_token": "t", "from_number": "+1"},
        "android_sms": {"enabled": True, "username": "u", "password": "p", "signing_key": "k"},
    }
    settings = Settings(env="test", **sections, **values)  # type: ignore[arg-type]
    deps = AdapterDeps(state=None, texts=texts)
    return (
        TwilioSmsAdapter(settings, deps) if kind == "twilio" else AndroidSmsAdapter(settings, deps)
    )


def menu(language: str = "vi") -> Reply:
    prompt = CATALOG.text(language, "menu.prompt", "sms")
    return Reply(prompt, tuple(Button(CATALOG.text(language, k), k) for k in MENU))


def by_hand(text: str) -> tuple[str, int]:
    """Encoding and billed segments, the carriers' way (texts here have no GSM-7 extension
    characters and no astral code points, so one character is one unit)."""
    if text.isascii():
        return "gsm7", 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    return "ucs2", 1 if len(text) <= 70 else math.ceil(len(text) / 67)


KINDS = ["twilio", "android"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("language", "first", "hint"),
    [
        ("vi", "1. Kiểm tra hộ nghèo/cận nghèo", "Trả lời bằng số, vd: 1"),
        ("en", "1. ", "Reply with a number, e.g. 1"),
    ],
)
def test_buttons_become_numbered_options_with_the_catalogue_hint(
    kind: str, language: str, first: str, hint: str
) -> None:
    messages = adapter(kind).render(ADDRESS, [menu(language)], language)
    whole = "\n".join(m.text for m in messages)
    assert first in whole and "\n6. " in whole
    assert whole.endswith(hint)
    for m in messages:
        assert (m.address, m.buttons, m.request) == (ADDRESS, (), None)
        assert m.adapter == ("twilio_sms" if kind == "twilio" else "android_sms")


@pytest.mark.parametrize("kind", KINDS)
def test_unaccented_mode_halves_the_segments_of_a_typical_reply(kind: str) -> None:
    accented = adapter(kind).render(ADDRESS, [menu()], "vi")
    plain = adapter(kind, sms_unaccented=True).render(ADDRESS, [menu()], "vi")
    for m in accented + plain:
        encoding, segments = by_hand(m.text)
        assert (m.meta["encoding"], m.meta["segments"]) == (encoding, segments), m.text
    assert {m.meta["encoding"] for m in accented} == {"ucs2"}
    assert {m.meta["encoding"] for m in plain} == {"gsm7"}
    assert "Kiem tra ho ngheo/can ngheo" in plain[0].text
    total_accented = sum(int(m.meta["segments"]) for m in accented)  # type: ignore[call-overload]
    total_plain = sum(int(m.meta["segments"]) for m in plain)  # type: ignore[call-overload]
    assert total_plain * 2 <= total_accented, (total_plain, total_accented)


@pytest.mark.parametrize(("kind", "budget"), [("twilio", 10), ("android", 8)])
def test_long_text_stays_within_the_segment_budget(kind: str, budget: int) -> None:
    text = " ".join(["Hộ nghèo được vay vốn ưu đãi của Ngân hàng Chính sách xã hội."] * 40)
    messages = adapter(kind, sms_max_segments=10).render(ADDRESS, [Reply(text)], "vi")
    assert len(messages) > 1
    assert max(int(m.meta["segments"]) for m in messages) <= budget  # type: ignore[call-overload]
    assert all(m.adapter == ("twilio_sms" if kind == "twilio" else "android_sms") for m in messages)
    assert " ".join(m.text for m in messages).split() == text.split()  # nothing lost


@pytest.mark.parametrize("kind", KINDS)
def test_no_replies_no_messages(kind: str) -> None:
    assert adapter(kind).render(ADDRESS, [], "vi") == []
