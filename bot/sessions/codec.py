"""The one JSON encoding every session backend uses, so memory behaves exactly like Redis.

State is strict JSON: an object at the top, no NaN/Infinity, no sets, dates or custom objects.
Anything else raises :class:`TypeError` at save time. What JSON silently reshapes (tuples become
lists, non-string keys become strings) comes back reshaped from *every* backend, so a test on
the memory store sees what production would see.
"""

from __future__ import annotations

import json

from bot.domain.json import JSON


def encode(data: JSON) -> str:
    """``data`` as compact UTF-8-friendly JSON text; TypeError if it is not strict JSON."""
    if not isinstance(data, dict):
        raise TypeError(f"session state must be a JSON object, not {type(data).__name__}")
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:  # NaN/Infinity, circular references
        raise TypeError(f"session state is not strict JSON: {exc}") from exc
    except TypeError as exc:  # sets, datetimes, objects...
        raise TypeError(f"session state is not JSON: {exc}") from exc


def decode(raw: str | bytes) -> JSON:
    """The object stored by :func:`encode` (bytes are read as UTF-8)."""
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError(f"stored session state is not a JSON object: {type(value).__name__}")
    return value


def check_ttl(ttl_seconds: int) -> int:
    """``ttl_seconds`` if it is a positive whole number of seconds, else ValueError.

    Redis refuses ``EX 0``; the memory backends refuse it too so both fail the same way.
    """
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or ttl_seconds <= 0:
        raise ValueError(f"ttl_seconds must be a positive int, not {ttl_seconds!r}")
    return ttl_seconds
