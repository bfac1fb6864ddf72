"""Numbers, dates and forms of address the way residents read them (``1.500.000 đồng``,
``05/03/2026``, "chị")."""

from __future__ import annotations

import re
from datetime import datetime

from bot.textnorm import nfc


def money(value: int, lang: str) -> str:
    """``1500000`` -> ``"1.500.000 đồng"`` (vi) or ``"1,500,000 VND"`` (en)."""
    grouped = f"{value:,}"
    if lang == "vi":
        return grouped.replace(",", ".") + " đồng"
    return grouped + " VND"


def millions(value: int, lang: str) -> str:
    """``100000000`` -> ``"100 triệu đồng"``; falls back to :func:`money` below one million."""
    if value < 1_000_000 or value % 100_000:
        return money(value, lang)
    amount = value / 1_000_000
    text = f"{amount:g}"
    if lang == "vi":
        return text.replace(".", ",") + " triệu đồng"
    return text + " million VND"


def percent(value: float, lang: str) -> str:
    """``6.24`` -> ``"6,24%"`` (vi) or ``"6.24%"`` (en)."""
    text = f"{value:g}"
    return (text.replace(".", ",") if lang == "vi" else text) + "%"


def day(iso: str | None) -> str:
    """An ISO timestamp as ``dd/mm/yyyy``; unreadable input is returned as given."""
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def per_million_month(rate_percent: float) -> int:
    """Interest in đồng a month on 1 million borrowed at ``rate_percent`` a year.

    ``6.24`` -> ``5200``: what a borrower pays, in the unit people reckon in.
    """
    return round(1_000_000 * rate_percent / 100 / 12)


def month(iso: str) -> str:
    """``"2026-03"`` -> ``"tháng 3/2026"``; a full ISO date reads as :func:`day`."""
    if len(iso) == 7 and iso[4] == "-":
        return f"tháng {int(iso[5:])}/{iso[:4]}"
    return day(iso)


# How a resident calls themselves at the start of a message -> how the bot calls them.
_SELF = {"anh": "anh", "chị": "chị", "bác": "bác", "ông": "bác", "bà": "bác", "cô": "cô"}
_SELF |= {"chú": "chú", "bac": "bác", "ong": "bác"}  # unaccented forms that are not words too
# Words that follow a pronoun used about oneself ("chị muốn hỏi"), not a relative ("bà em").
_VERBS = {
    "muốn", "muon", "hỏi", "hoi", "cần", "can", "xin", "báo", "bao", "đang", "dang", "ở", "o",
    "có", "co", "bị", "bi", "không", "ko", "chưa", "chua", "vừa", "vua", "mới", "moi", "là",
    "la", "đã", "da", "nhờ", "nho", "cảm", "cam", "gửi", "gui", "định", "dinh", "thấy", "thay",
    "đăng", "kiểm", "kiem", "vay", "làm", "lam", "sống", "song", "tên", "ten", "đây", "day",
}  # fmt: skip


def address_form(text: str) -> str | None:
    """How to address a resident who wrote ``text``: ``"chị"`` for "chị muốn hỏi vay vốn",
    ``"bác"`` for "ông ở bản Panh"; None when the message does not say."""
    words = re.findall(r"[^\W\d_]+", nfc(text).lower())
    while words and words[0] in ("dạ", "da", "vâng", "vang", "chào", "chao", "em", "ạ"):
        words = words[1:]
    if len(words) >= 2 and words[0] in _SELF and words[1] in _VERBS:
        return _SELF[words[0]]
    return None
