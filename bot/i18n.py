"""Texts the application itself says outside any flow (errors, web validation).

Flow texts live in ``dialogs/locales/``; these few are here because they must work even when
the engine or its files are broken.
"""

from __future__ import annotations

_TEXTS: dict[str, dict[str, str]] = {
    "error": {
        "vi": (
            "Xin lỗi bà con, hệ thống đang gặp trục trặc nên chưa xử lý được tin vừa rồi. "
            "Các câu trả lời trước vẫn được giữ. Bà con vui lòng gửi lại sau ít phút, "
            "hoặc gõ MENU để về trang chính."
        ),
        "en": (
            "Sorry, something went wrong and your last message was not processed. "
            "Your earlier answers are kept. Please send it again in a few minutes, "
            "or type MENU for the main menu."
        ),
    },
    "stopped": {
        "vi": "Bản Bot đã ngừng gửi tin cho bà con. Muốn nhận lại, bà con nhắn START ạ.",
        "en": "Bản Bot will send you no more messages. To start again, send START.",
    },
    "phone_linked": {
        "vi": (
            "Cảm ơn bà con, em đã lưu số điện thoại. Tin nhắn của bà con qua Telegram, Zalo "
            "và SMS từ nay được ghi chung một người ạ."
        ),
        "en": (
            "Thank you, your phone number is saved. Your messages by Telegram, Zalo and SMS "
            "now count as one person."
        ),
    },
    "flood": {
        "vi": "Bà con gửi nhanh quá, vui lòng chờ một chút rồi gửi lại tin vừa rồi ạ.",
        "en": "You are sending too fast; please wait a moment, then send your last message again.",
    },
    "report_cap": {
        "vi": (
            "Bà con đã gửi nhiều phản ánh trong một giờ qua nên phản ánh này chưa được ghi. "
            "Các câu trả lời trước vẫn được giữ; bà con gửi lại tin vừa rồi sau một lúc ạ. "
            "Nếu nguy hiểm ngay, gọi 112."
        ),
        "en": (
            "You have sent many reports in the last hour, so this one was not filed. Your "
            "earlier answers are kept; send your last message again a little later. "
            "If you are in danger now, call 112."
        ),
    },
    "unavailable": {
        "vi": (
            "Xin lỗi bà con, Bản Bot đang tạm gián đoạn nên chưa xử lý được tin vừa rồi. "
            "Các phản ánh đã gửi vẫn được giữ. Bà con vui lòng gửi lại sau ít phút ạ."
        ),
        "en": (
            "Sorry, Bản Bot is briefly interrupted and your last message was not processed. "
            "Reports you already sent are kept. Please send it again in a few minutes."
        ),
    },
    "busy": {
        "vi": "Bản Bot đang bận, bà con vui lòng gửi lại sau ít phút ạ.",
        "en": "Bản Bot is busy; please try again in a few minutes.",
    },
}


def system_text(key: str, language: str) -> str:
    """The text for ``key`` in ``language`` (Vietnamese when the language is unknown)."""
    texts = _TEXTS[key]
    return texts.get(language, texts["vi"])
