"""When a notice goes out, as a village head types it: "7 giờ sáng mai", "19h hôm nay",
"8:30 ngày 5/12", "ngay" (now), with or without diacritics. Local time (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo

from bot.textnorm import fold

_NOW = {"ngay", "bay gio", "luon", "gui ngay", "now"}
_TIME = re.compile(r"(\d{1,2})\s*(?:gio|h|:)\s*(\d{1,2})?\s*(?:phut)?")
_DAY = re.compile(r"(?:ngay\s*)?(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{2,4}))?")
_EVENING = ("chieu", "toi", "dem")


def parse_when(text: str, now: datetime, zone: tzinfo) -> datetime | None:
    """The moment ``text`` names, in UTC-aware form, or None if it names none (or the past)."""
    words = fold(text).replace(".", " ").strip()
    if words in _NOW:
        return now
    local = now.astimezone(zone)
    day: date = local.date()
    if "ngay kia" in words:
        day += timedelta(days=2)
    elif "mai" in words:
        day += timedelta(days=1)
    found_day = _DAY.search(words)
    if found_day and ("/" in found_day.group(0) or "-" in found_day.group(0)):
        d, m = int(found_day.group(1)), int(found_day.group(2))
        y = int(found_day.group(3)) if found_day.group(3) else local.year
        y = y + 2000 if y < 100 else y
        try:
            day = date(y, m, d)
        except ValueError:
            return None
        words = words.replace(found_day.group(0), " ")
    hour = _TIME.search(words)
    if hour is None:
        return None
    h, minute = int(hour.group(1)), int(hour.group(2) or 0)
    if any(w in words for w in _EVENING) and h < 12:
        h += 12
    if not (0 <= h <= 23 and 0 <= minute <= 59):
        return None
    when = datetime(day.year, day.month, day.day, h, minute, tzinfo=zone)
    return when if when >= now - timedelta(minutes=1) else None
