"""Validators of free-text answers: a person, a day.

- ``person``: who a change is about ("con trai cả", "bà Lò Thị Xuân", "vợ tôi"). "có", "ok",
  "không", a number or a lone letter are not a person: the step asks again. ``words`` is the
  same check for a short description.
- ``baby``: a baby's name, or "chưa đặt tên" (kept as the empty name ``"-"``).
- ``a_day``: when something happened, as an ISO date ``"2026-03-05"`` (or a month
  ``"2026-03"``) from "hôm qua", "3 ngày trước", "5/3", "5/3/2026", "ngày 5 tháng 3",
  "tháng 3", "tuần trước" (seven days back). Dates after today are refused; a day and month
  without a year that would lie in the future means last year.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.registry import VALIDATORS
from bot.engine.steps.yes_no import NO, UNKNOWN, YES

NOT_A_NAME = YES | NO | UNKNOWN | {"ai", "gi", "khong ro", "bo qua", "chua", "roi", "xong"}
NO_NAME_YET = {"chua dat ten", "chua co ten", "chua co", "chua dat", "chua"}
_DAYS_AGO = {"hom nay": 0, "nay": 0, "hom qua": 1, "qua": 1, "hom kia": 2, "hom truoc": 2}
_NUMBERS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7}


def person(ctx: Ctx, text: str) -> str | None:
    folded = key(text)
    letters = re.sub(r"[^a-z]", "", folded)
    if len(letters) < 2 or folded in NOT_A_NAME or ctx.command(text):
        return None
    return text.strip()


def baby(ctx: Ctx, text: str) -> str | None:
    if key(text) in NO_NAME_YET:
        return "-"
    return person(ctx, text)


def _ago(folded: str) -> int | None:
    m = re.fullmatch(r"(?:cach day )?(\w+) (ngay|tuan|thang) (?:truoc|qua|roi)", folded)
    if not m:
        return None
    raw = m.group(1)
    n = int(raw) if raw.isdecimal() else _NUMBERS.get(raw)
    if n is None or n > 400:
        return None
    return n * {"ngay": 1, "tuan": 7, "thang": 30}[m.group(2)]


def _dated(day: int, month: int, year: int | None, today: date) -> str | None:
    try:
        found = date(year if year is not None else today.year, month, day)
    except ValueError:
        return None
    if year is None and found > today:
        found = found.replace(year=today.year - 1)
    return found.isoformat() if found <= today else None


def read_day(text: str, today: date) -> str | None:
    """An ISO date or month for ``text``, or None when it names no day (see module doc)."""
    folded = key(text)  # "5/3/2026" -> "5 3 2026"
    folded = re.sub(r"^(vao |tu |hoi |khoang |ngay )+", "", folded)
    folded = re.sub(r"( roi| a)+$", "", folded)
    if folded in _DAYS_AGO:
        return (today - timedelta(days=_DAYS_AGO[folded])).isoformat()
    if folded in ("tuan truoc", "tuan roi"):
        return (today - timedelta(days=7)).isoformat()
    ago = _ago(folded)
    if ago is not None:
        return (today - timedelta(days=ago)).isoformat()
    m = re.fullmatch(r"(\d{1,2}) (?:thang )?(\d{1,2})(?: (?:nam )?(\d{4}))?", folded)
    if m:
        year = int(m.group(3)) if m.group(3) else None
        return _dated(int(m.group(1)), int(m.group(2)), year, today)
    m = re.fullmatch(r"thang (\d{1,2})(?: (?:nam )?(\d{4}))?", folded)
    if m and 1 <= int(m.group(1)) <= 12:
        year = int(m.group(2)) if m.group(2) else today.year
        if year == today.year and int(m.group(1)) > today.month and not m.group(2):
            year -= 1
        month = f"{year:04d}-{int(m.group(1)):02d}"
        return month if month <= today.isoformat()[:7] else None
    if folded in ("thang truoc", "thang roi"):
        last = today.replace(day=1) - timedelta(days=1)
        return last.isoformat()[:7]
    return None


def a_day(ctx: Ctx, text: str) -> str | None:
    return read_day(text, ctx.today)


VALIDATORS.update(person=person, words=person, baby=baby, a_day=a_day)
