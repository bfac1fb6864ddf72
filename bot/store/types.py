"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator

from bot.textnorm import nfc


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC (the only zone the store speaks)."""
    return datetime.now(UTC)


def dumps(value: Any) -> str:
    """JSON with Vietnamese kept readable (no ``\\u`` escapes) in the database."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always an aware UTC ``datetime`` in Python.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are stored as naive
    UTC and get their zone back on the way out. A naive value on the way in is a bug and raises.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def nfc_deep(value: Any) -> Any:
    """``value`` with every string (keys too) in NFC, through nested lists and dicts.

    All text is stored in NFC so that equal-looking Vietnamese compares equal, whichever
    keyboard or phone composed it.
    """
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc_deep(k): nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [nfc_deep(v) for v in value]
    return value
