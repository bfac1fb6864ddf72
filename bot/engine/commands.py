"""Input cleaning and the commands that work anywhere (cancel, menu, back, officer, stop).

A command is the WHOLE message, folded (no case, no diacritics, no punctuation), so "huỷ",
"Hủy!", "huy" all cancel while "huỷ đăng ký" unsubscribes and "nhà em huỷ hoại" is an answer.
"""

from __future__ import annotations

import re

from bot.textnorm import fold

_PUNCT = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")

COMMANDS: dict[str, str] = {
    **dict.fromkeys(["huy", "huy bo", "thoat", "cancel", "exit"], "cancel"),
    **dict.fromkeys(["menu", "0", "ve menu", "trang chu", "main menu"], "menu"),
    **dict.fromkeys(["quay lai", "back", "tro lai", "lui lai"], "back"),
    **dict.fromkeys(
        ["gap can bo", "gap can bo xa", "noi chuyen voi can bo", "officer", "talk to officer"],
        "officer",
    ),
    **dict.fromkeys(
        ["stop", "huy dang ky", "ngung nhan tin", "dung nhan tin", "unsubscribe"], "stop"
    ),
    **dict.fromkeys(["dang ky", "dang ky nhan tin", "subscribe"], "subscribe"),
}


def key(text: str) -> str:
    """The matching key: folded, punctuation as spaces, single spaces."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", fold(text))).strip()


def command(text: str) -> str | None:
    """The global command ``text`` is, or None."""
    return COMMANDS.get(key(text)) if text else None
