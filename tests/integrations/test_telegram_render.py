"""Telegram rendering: keyboards as the Bot API accepts them, and button round trips."""

from __future__ import annotations

import json

import pytest
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.domain.messages import Button, Reply
from bot.render import utf16_units
from integrations.telegram.adapter import TelegramAdapter
from integrations.telegram.fake import fake_adapter
from tests.integrations.harness import Case, check, run_case
from tests.integrations.test_telegram import sign

LAN = "telegram:123456789"
HOUSE = (
    Button("Sập, trôi", "disaster:house:collapsed"),
    Button("Ngập nước", "disaster:house:flooded"),
    Button("Bình thường, không sao", "disaster:house:ok"),
)


@pytest.fixture
def adapter() -> TelegramAdapter:
    return fake_adapter()[0]


def test_choices_become_an_inline_keyboard(adapter: TelegramAdapter) -> None:
    [out] = adapter.render(LAN, [Reply("Nhà bị làm sao ạ?", HOUSE)], "vi")
    markup = out.meta["reply_markup"]
    assert isinstance(markup, dict)
    rows = markup["inline_keyboard"]
    assert [(r[0]["text"], r[0]["callback_data"]) for r in rows] == [
        (b.title, b.payload) for b in HOUSE
    ]
    InlineKeyboardMarkup.model_validate(markup)  # the shape aiogram (and Telegram) accepts


def test_long_titles_are_cut_but_payloads_kept(adapter: TelegramAdapter) -> None:
    title = "Hộ có người khuyết tật nặng không còn khả năng lao động và không có người chăm sóc"
    [out] = adapter.render(LAN, [Reply("Chọn ạ", (Button(title, "dis:x"),))], "vi")
    [[button]] = out.meta["reply_markup"]["inline_keyboard"]  # type: ignore[index]
    assert button["callback_data"] == "dis:x"
    assert button["text"].endswith("…") and len(button["text"]) <= 40


def test_payload_over_64_bytes_is_refused(adapter: TelegramAdapter) -> None:
    payload = "disaster:house:" + "đ" * 25  # 15 + 50 bytes of UTF-8
    with pytest.raises(ValueError, match="64 bytes"):
        adapter.render(LAN, [Reply("x", (Button("Đ", payload),))], "vi")


@pytest.mark.parametrize(
    ("language", "label", "skip"),
    [("vi", "📍 Gửi vị trí", "Bỏ qua"), ("en", "📍 Send location", "Skip")],
)
def test_location_request_is_a_one_time_reply_keyboard(
    adapter: TelegramAdapter, language: str, label: str, skip: str
) -> None:
    reply = Reply(
        "Bà con bấm nút gửi vị trí ạ.", (Button(skip, "disaster:location:skip"),), "location"
    )
    [out] = adapter.render(LAN, [reply], language)
    markup = out.meta["reply_markup"]
    assert markup == {
        "keyboard": [[{"text": label, "request_location": True}], [{"text": skip}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }
    parsed = ReplyKeyboardMarkup.model_validate(markup)
    assert parsed.keyboard[0][0].request_location is True


def test_contact_request_asks_for_the_phone_number(adapter: TelegramAdapter) -> None:
    [out] = adapter.render(LAN, [Reply("Cho em xin số điện thoại ạ.", request="contact")], "vi")
    assert out.meta["reply_markup"] == {
        "keyboard": [[{"text": "📱 Gửi số điện thoại", "request_contact": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


def test_photo_request_keeps_the_inline_skip_button(adapter: TelegramAdapter) -> None:
    reply = Reply("Gửi ảnh hiện trường ạ.", (Button("Bỏ qua", "disaster:photo:skip"),), "photo")
    [out] = adapter.render(LAN, [reply], "vi")
    assert out.meta["reply_markup"] == {
        "inline_keyboard": [[{"text": "Bỏ qua", "callback_data": "disaster:photo:skip"}]]
    }


def test_plain_text_removes_a_leftover_reply_keyboard(adapter: TelegramAdapter) -> None:
    outs = adapter.render(LAN, [Reply("Cảm ơn bà con."), Reply("Em đã gửi cán bộ xã.")], "vi")
    assert [o.meta["reply_markup"] for o in outs] == [{"remove_keyboard": True}] * 2


def test_long_text_split_buttons_on_the_last_part(adapter: TelegramAdapter) -> None:
    text = "\n\n".join(f"Mục {i}: " + "chính sách hỗ trợ hộ nghèo " * 20 for i in range(30))
    outs = adapter.render(LAN, [Reply(text, HOUSE[:1])], "vi")
    assert len(outs) > 1
    assert all(utf16_units(o.text) <= 4096 for o in outs)
    assert all("inline_keyboard" not in o.meta["reply_markup"] for o in outs[:-1])  # type: ignore[operator]
    assert "inline_keyboard" in outs[-1].meta["reply_markup"]  # type: ignore[operator]


def test_keyboard_without_text_gets_the_label_as_text(adapter: TelegramAdapter) -> None:
    [out] = adapter.render(LAN, [Reply("", request="location")], "vi")
    assert out.text == "📍 Gửi vị trí"


async def test_rendered_button_comes_back_as_the_pressed_button() -> None:
    """render -> sendMessage -> resident presses -> callback update -> parse -> Inbound.button."""
    adapter, session = fake_adapter()
    for out in adapter.render(LAN, [Reply("Nhà bị làm sao ạ?", HOUSE)], "vi"):
        await adapter.send(out)
    sent = session.sent()[-1]
    pressed = sent["reply_markup"]["inline_keyboard"][1][0]
    update = callback_update(sent, pressed["callback_data"])
    case = Case(
        "press", json.dumps(update), inbounds=[{"address": LAN, "button": "disaster:house:flooded"}]
    )
    responses, recorder = await run_case(adapter, case, sign)
    check(case, responses, recorder)


def callback_update(sent: dict[str, object], data: str) -> dict[str, object]:
    """The update Telegram sends when the resident presses ``data`` under the sent message."""
    lan = {"id": 123456789, "is_bot": False, "first_name": "Lan"}
    return {
        "update_id": 815000300,
        "callback_query": {
            "id": "5511bfdwdsb323b2e0",
            "from": lan,
            "chat_instance": "-5871432000000000001",
            "data": data,
            "message": {
                "message_id": 1000,
                "date": 1767225605,
                "from": {"id": 7000000001, "is_bot": True, "first_name": "Bản Bot"},
                "chat": {"id": sent["chat_id"], "type": "private", "first_name": "Lan"},
                "text": sent["text"],
                "reply_markup": sent["reply_markup"],
            },
        },
    }
