"""Numbers and dates the way residents read them (``1.500.000 đồng``, ``05/03/2026``)."""

from __future__ import annotations

from datetime import datetime


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
