"""Telegram webhook: labelled cases over recorded updates, through the real route."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from aiogram.types import Chat, Message, Update, User

from bot.channels.phones import normalize_phone as normalise_phone
from bot.domain.messages import Location
from integrations.telegram.adapter import TelegramAdapter
from integrations.telegram.fake import FAKE_SECRET, FAKE_TOKEN, fake_adapter
from tests.integrations.harness import Case, check, load, run_case

LAN = "telegram:123456789"


def td(name: str) -> bytes:
    return load(f"telegram/{name}.json")


def sign(url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": FAKE_SECRET}


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def built_with_aiogram() -> str:
    """A text update made with aiogram's own types (not a recorded file)."""
    user = User(id=987654321, is_bot=False, first_name="Vàng A", last_name="Páo")
    msg = Message(
        message_id=3,
        date=at(1767230000),
        chat=Chat(id=987654321, type="private", first_name="Vàng A"),
        from_user=user,
        text="vay von 1tr5 dc ko",
    )
    return Update(update_id=900000001, message=msg).model_dump_json(
        by_alias=True, exclude_none=True
    )


def text_update(update_id: int, text: str) -> str:
    """The recorded text update with another id and text."""
    data = json.loads(td("text"))
    data["update_id"] = update_id
    data["message"]["text"] = text
    return json.dumps(data, ensure_ascii=False)


LONG_TEXT = ("Nhà em ở bản Nà Sang, nước lũ lên nhanh quá. " * 100)[:4096]
TEXT = {"adapter": "telegram", "address": LAN, "external_id": "815000101"}

CASES = [
    Case(
        "plain text",
        td("text"),
        inbounds=[{**TEXT, "text": "nha toi bi ngap, can di doi", "received_at": at(1767225600)}],
    ),
    Case(
        "text built with aiogram types",
        built_with_aiogram(),
        inbounds=[{"address": "telegram:987654321", "text": "vay von 1tr5 dc ko"}],
    ),
    Case("/start", td("start"), inbounds=[{"text": "/start", "event": "new_conversation"}]),
    Case(
        "/start with deep-link payload",
        td("start_payload"),
        inbounds=[{"text": "/start ban_nam_nieu", "event": "new_conversation"}],
    ),
    Case(
        "button press",
        td("callback"),
        inbounds=[{"address": LAN, "external_id": "815000106", "button": "disaster:house:flooded"}],
    ),
    Case(
        "location",
        td("location"),
        inbounds=[{"location": Location(21.3256, 103.9188), "text": "", "event": None}],
    ),
    Case(
        "venue carries a location",
        td("venue"),
        inbounds=[{"location": Location(21.3256, 103.9188)}],
    ),
    Case(
        "photo: largest size, caption as text",
        td("photo"),
        inbounds=[{"media": ("AgACAgUAAxkBAAIBsmS3",), "text": "Nhà bị sạt mái"}],
    ),
    Case(
        "own contact links the phone number",
        td("contact_own"),
        inbounds=[{"contact_phone": "+84912345678", "contact_name": "Lò Thị Lan"}],
    ),
    Case(
        "someone else's contact is not linked",
        td("contact_foreign"),
        inbounds=[{"contact_phone": None, "contact_name": None, "external_id": "815000107"}],
    ),
    Case(
        "voice: empty text so the step re-asks", td("voice"), inbounds=[{"text": "", "media": ()}]
    ),
    Case(
        "user blocked the bot -> stop", td("blocked"), inbounds=[{"event": "stop", "address": LAN}]
    ),
    Case("user unblocked the bot -> start", td("unblocked"), inbounds=[{"event": "start"}]),
    Case("edited message ignored", td("edited")),
    Case("group chat ignored", td("group_text")),
    Case("unknown update type ignored", td("reaction")),
    Case("invalid JSON", b'{"update_id": 1, "message": ', status=400),
    Case("JSON but not an object", b"[1, 2]", status=400),
    Case("update without update_id", json.dumps({"message": {}}), status=400),
    Case(
        "message missing required fields",
        json.dumps({"update_id": 5, "message": {"message_id": 1, "text": "x"}}),
        status=400,
    ),
    Case("missing secret token", td("text"), status=401, sign=False),
    Case(
        "wrong secret token",
        td("text"),
        status=403,
        headers={"X-Telegram-Bot-Api-Secret-Token": FAKE_SECRET + "x"},
    ),
    Case(
        "secret token of another bot",
        td("text"),
        status=403,
        headers={"X-Telegram-Bot-Api-Secret-Token": "another-bots-secret"},
    ),
    Case("replayed delivery processed once", td("text"), repeat=2, inbounds=[TEXT]),
    Case(
        "text at Telegram's 4096 limit arrives whole",
        text_update(815000199, LONG_TEXT),
        inbounds=[{"text": LONG_TEXT, "external_id": "815000199"}],
    ),
    Case("oversize body refused", b" " * 1_000_001, status=413),
]


@pytest.fixture
def adapter() -> TelegramAdapter:
    return fake_adapter()[0]


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
async def test_webhook_case(adapter: TelegramAdapter, case: Case) -> None:
    responses, recorder = await run_case(adapter, case, sign)
    check(case, responses, recorder)
    if case.status != 200:
        assert recorder.results == [], f"{case.label}: rejected request reached the sink"


async def test_button_press_is_answered_in_the_webhook_response(adapter: TelegramAdapter) -> None:
    responses, _ = await run_case(adapter, Case("button", td("callback")), sign)
    assert responses[0].headers["content-type"].startswith("application/json")
    assert responses[0].json() == {
        "method": "answerCallbackQuery",
        "callback_query_id": "4382bfdwdsb323b2d9",
    }


async def test_plain_messages_get_an_empty_answer(adapter: TelegramAdapter) -> None:
    responses, _ = await run_case(adapter, Case("text", td("text")), sign)
    assert responses[0].text == ""


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("84912345678", "+84912345678"),
        ("+84 91 234 5678", "+84912345678"),
        ("0912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("+1 (202) 555-0143", "+12025550143"),
        ("12345", None),
    ],
)
def test_normalise_phone(raw: str, e164: str | None) -> None:
    assert normalise_phone(raw) == e164


async def test_secrets_never_reach_logs(
    adapter: TelegramAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
    for case in (
        Case("w", td("text"), status=403, headers=wrong),
        Case("ok", td("callback"), inbounds=[{"button": "disaster:house:flooded"}]),
    ):
        responses, recorder = await run_case(adapter, case, sign)
        check(case, responses, recorder)
    assert "rejected" in caplog.text  # the rejection itself is logged ...
    assert FAKE_SECRET not in caplog.text  # ... without the secret or the token
    assert FAKE_TOKEN not in caplog.text
