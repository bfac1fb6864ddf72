"""Zalo OA rendering: 2000-character parts, at most 5 template buttons, payloads that come back."""

from __future__ import annotations

from bot.domain.messages import Button, Outbound, Reply
from integrations.zalo.render import (
    MAX_BUTTONS,
    button_payload,
    message_body,
    pressed_button,
    render_replies,
)


def buttons(n: int) -> tuple[Button, ...]:
    return tuple(Button(f"Lựa chọn {i}", f"opt{i}") for i in range(1, n + 1))


def test_long_text_split_at_2000_and_buttons_on_the_last_part() -> None:
    text = ("Hộ nghèo được vay vốn ưu đãi của Ngân hàng Chính sách xã hội. " * 60).strip()
    out = render_replies("zalo", "zalo:1", [Reply(text, buttons(2))], "vi", "Trả lời bằng số")
    assert len(out) == 2
    assert all(len(m.text) <= 2000 for m in out)
    assert (out[0].buttons, out[1].buttons) == ((), buttons(2))
    assert {m.address for m in out} == {"zalo:1"}


def test_seven_buttons_become_five_and_a_more_options_message() -> None:
    out = render_replies("zalo", "zalo:1", [Reply("Chọn xã", buttons(7))], "en", "hint")
    assert [len(m.buttons) for m in out] == [5, 2]
    assert out[1].text == "More options:"
    assert out[0].buttons + out[1].buttons == buttons(7)


def test_pressed_button_round_trip_keeps_title_and_payload() -> None:
    for button in (Button("Có", "yes"), Button("Báo thiên tai", "menu:report disaster")):
        assert pressed_button(button_payload(button)) == (button.title, button.payload)


def test_typed_text_is_not_a_button() -> None:
    for text in ("nha toi bi ngap", "#bb", "bb:yes", "Có"):
        assert pressed_button(text) is None


def test_overlong_payload_drops_the_title() -> None:
    button = Button("Có", "x" * 998)
    assert button_payload(button) == "#bb:" + "x" * 998
    assert pressed_button(button_payload(button)) == ("", "x" * 998)


def test_more_than_five_buttons_fall_back_to_numbered_text() -> None:
    message = Outbound("zalo", "zalo:1", "Chọn:", buttons=buttons(MAX_BUTTONS + 1))
    body = message_body(message, hint="Trả lời bằng số, vd: 1")
    assert "attachment" not in body
    assert body["text"].splitlines() == [
        "Chọn:",
        *[f"{i}. Lựa chọn {i}" for i in range(1, 7)],
        "Trả lời bằng số, vd: 1",
    ]


def test_text_only_has_no_attachment() -> None:
    assert message_body(Outbound("zalo", "zalo:1", "Xin chào")) == {"text": "Xin chào"}
