"""Rendering engine replies for Telegram, Zalo and SMS."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.messages import Button, Reply
from bot.render.numbered import NUMBERED_HINT
from bot.render.render import render
from bot.render.sms import segment_info, unaccent

YES_NO = (Button("Có", "yes"), Button("Không", "no"))
ASK_VILLAGE = "Anh/chị ở bản nào? Bấm 📍 để gửi vị trí, hoặc nhắn tên bản (ví dụ: Nậm Nhùn)."
LONG_VI = " ".join(
    [
        "Theo chuẩn nghèo đa chiều giai đoạn 2022-2025, hộ nghèo ở nông thôn là hộ có thu nhập",
        "bình quân đầu người từ 1,5 triệu đồng trở xuống mỗi tháng và thiếu hụt từ 3 chỉ số",
        "đo lường mức độ thiếu hụt dịch vụ xã hội cơ bản trở lên.",
        "Hộ cận nghèo là hộ có thu nhập như trên nhưng thiếu hụt dưới 3 chỉ số.",
        "Bà con cần chuẩn bị căn cước công dân, sổ hộ khẩu và giấy tờ về đất, nhà ở.",
        "Cán bộ xã sẽ đến tận nhà để rà soát, anh/chị vui lòng có mặt.",
    ]
)


# --- SMS ---------------------------------------------------------------------------------


def test_sms_options_become_numbered_lines_with_the_callers_hint() -> None:
    [msg] = render([Reply("Nhà có ai bị thương không?", YES_NO)], "sms", numbered_hint="Gõ số")
    assert msg.text == "Nhà có ai bị thương không?\n1. Có\n2. Không\nGõ số"
    assert msg.buttons == ()
    assert (msg.encoding, msg.segments) == ("ucs2", 1)


def test_sms_default_hint_is_vietnamese() -> None:
    [msg] = render([Reply("Chọn:", YES_NO)], "sms")
    assert msg.text.endswith(NUMBERED_HINT["vi"])


def test_sms_drops_location_request_and_keeps_the_text() -> None:
    [msg] = render([Reply(ASK_VILLAGE, request="location")], "sms")
    assert msg.request is None
    assert msg.text == ASK_VILLAGE
    assert msg.segments == segment_info(ASK_VILLAGE).segments == 2  # the emoji forces UCS-2


def test_sms_long_text_is_split_within_budget_and_options_stay_with_the_end() -> None:
    messages = render([Reply(LONG_VI, YES_NO)], "sms", sms_max_segments=2)
    assert len(messages) > 1
    for msg in messages:
        assert msg.segments == segment_info(msg.text).segments <= 2
        assert msg.encoding == segment_info(msg.text).encoding
    assert messages[-1].text.endswith("1. Có\n2. Không\n" + NUMBERED_HINT["vi"])
    body = " ".join(m.text for m in messages).split()[: len(LONG_VI.split())]
    assert body == LONG_VI.split()


def test_sms_unaccented_fits_gsm7_with_fewer_segments() -> None:
    accented = render([Reply(LONG_VI, YES_NO)], "sms", sms_max_segments=10)
    plain = render([Reply(LONG_VI, YES_NO)], "sms", sms_max_segments=10, sms_unaccented=True)
    assert [m.encoding for m in accented] == ["ucs2"]
    assert [m.encoding for m in plain] == ["gsm7"]
    assert plain[0].segments is not None and accented[0].segments is not None
    assert plain[0].segments < accented[0].segments
    assert "1. Co\n2. Khong\nTra loi bang so, vi du: 1" in plain[0].text


def test_sms_short_replies_are_merged_when_it_saves_segments() -> None:
    replies = [Reply("Đã ghi nhận."), Reply("Cảm ơn bà con!")]
    merged = render(replies, "sms")
    assert [m.text for m in merged] == ["Đã ghi nhận.\n\nCảm ơn bà con!"]
    separate = render(replies, "sms", sms_merge=False)
    assert [m.text for m in separate] == ["Đã ghi nhận.", "Cảm ơn bà con!"]


def test_sms_replies_are_not_merged_when_it_saves_nothing() -> None:
    # 60 + 2 + 60 UCS-2 units = 122 -> 2 segments, the same as sending two messages.
    replies = [Reply("ư" * 60), Reply("ơ" * 60)]
    assert len(render(replies, "sms")) == 2


def test_sms_budget_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        render([Reply("x")], "sms", sms_max_segments=0)


vi_words = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềệộờữ", min_size=1, max_size=9)
sms_text = st.lists(
    st.tuples(vi_words, st.sampled_from([" ", " ", " ", ". ", ", ", "\n", "? "])),
    min_size=1,
    max_size=120,
).map(lambda pairs: "".join(w + s for w, s in pairs))


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(sms_text, min_size=1, max_size=3),
    budget=st.integers(1, 3),
    unaccented=st.booleans(),
    with_buttons=st.booleans(),
)
def test_sms_never_exceeds_the_budget_nor_loses_words(
    texts: list[str], budget: int, unaccented: bool, with_buttons: bool
) -> None:
    replies = [Reply(t, YES_NO if with_buttons else ()) for t in texts]
    messages = render(replies, "sms", sms_max_segments=budget, sms_unaccented=unaccented)
    for msg in messages:
        info = segment_info(msg.text)
        assert msg.segments == info.segments <= budget
        assert msg.encoding == info.encoding
        assert msg.buttons == ()
    if not with_buttons:
        joined = " ".join(texts)
        expected = (unaccent(joined) if unaccented else joined).split()
        assert " ".join(m.text for m in messages).split() == expected


# --- Telegram ----------------------------------------------------------------------------


def test_telegram_keeps_buttons_and_request() -> None:
    [msg] = render([Reply(ASK_VILLAGE, YES_NO, request="location")], "telegram")
    assert (msg.text, msg.buttons, msg.request) == (ASK_VILLAGE, YES_NO, "location")
    assert msg.segments is None and msg.encoding is None


def test_telegram_rejects_a_payload_over_64_bytes() -> None:
    ok = Button("Đồng ý", "x" * 64)
    assert render([Reply("?", (ok,))], "telegram")[0].buttons == (ok,)
    # 22 characters but 66 bytes of UTF-8: the limit is bytes, not characters.
    with pytest.raises(ValueError, match="64 bytes"):
        render([Reply("?", (Button("Đồng ý", "ệ" * 22),))], "telegram")
    with pytest.raises(ValueError, match="64 bytes"):
        render([Reply("?", (Button("Trống", ""),))], "telegram")


def test_telegram_trims_long_titles_visibly() -> None:
    title = "Hộ gia đình tôi có người khuyết tật nặng cần được hỗ trợ hằng tháng"
    [msg] = render([Reply("?", (Button(title, "disabled"),))], "telegram")
    assert len(msg.buttons[0].title) == 40
    assert msg.buttons[0].title.endswith("…")
    assert title.startswith(msg.buttons[0].title[:-1])
    assert msg.buttons[0].payload == "disabled"


def test_telegram_splits_over_4096_and_puts_buttons_last() -> None:
    paragraph = ("Thông tin về chính sách vay vốn hộ nghèo. " * 40).strip()
    text = "\n\n".join([paragraph] * 4)  # about 6,700 characters
    messages = render([Reply(text, YES_NO, request="contact")], "telegram")
    assert len(messages) == 2
    assert all(len(m.text) <= 4096 for m in messages)
    assert messages[0].text.endswith("hộ nghèo.")  # cut at a paragraph break
    assert (messages[0].buttons, messages[0].request) == ((), None)
    assert (messages[1].buttons, messages[1].request) == (YES_NO, "contact")


def test_telegram_counts_utf16_units() -> None:
    messages = render([Reply("🌾" * 2049)], "telegram")  # 4098 UTF-16 units
    assert [len(m.text) for m in messages] == [2048, 1]


# --- Zalo --------------------------------------------------------------------------------


def test_zalo_splits_more_than_five_buttons() -> None:
    buttons = tuple(Button(f"Xã {i}", f"commune:{i}") for i in range(1, 8))
    messages = render([Reply("Chọn xã:", buttons)], "zalo", more_options_text="Thêm:")
    assert [m.text for m in messages] == ["Chọn xã:", "Thêm:"]
    assert messages[0].buttons == buttons[:5]
    assert messages[1].buttons == buttons[5:]


def test_zalo_splits_text_at_2000() -> None:
    messages = render([Reply(LONG_VI * 6)], "zalo")
    assert len(messages) == 2
    assert all(len(m.text) <= 2000 for m in messages)


# --- all ---------------------------------------------------------------------------------


def test_unknown_channel_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown channel"):
        render([Reply("x")], "fax")


@pytest.mark.parametrize("channel", ["telegram", "zalo", "sms"])
def test_empty_reply_renders_nothing(channel: str) -> None:
    assert render([Reply("  ")], channel) == []


@pytest.mark.parametrize("channel", ["telegram", "zalo", "sms"])
def test_text_is_normalised_to_nfc(channel: str) -> None:
    [msg] = render([Reply("Vie\u0323\u0302t")], channel)
    assert msg.text == "Việt"
