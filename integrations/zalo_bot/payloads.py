"""Zalo Bot Platform webhook payloads, read tolerantly (details are not officially confirmed).

Integrators disagree on the envelope: some see the update at top level, the ``python-zalo-bot``
SDK reads it from ``{"ok": true, "result": {...}}``; both are accepted (and a list of updates
in ``result``, as ``getUpdates`` may return). The image field is ``photo`` in some sources and
``photo_url`` in others. Ids are strings; ``date`` is in milliseconds.

Text message (shape reported by several integrators)::

    {"event_name": "message.text.received",
     "message": {"message_id": "2d758cb5e222177a4e35", "date": 1750316131602,
                 "from": {"id": "6ede9afa66b88fe6d6a9", "display_name": "Ted", "is_bot": false},
                 "chat": {"id": "6ede9afa66b88fe6d6a9", "chat_type": "PRIVATE"},
                 "text": "checkin"}}

Image message::

    {"ok": true, "result": {"event_name": "message.image.received",
     "message": {"message_id": "…", "date": 1750316200000, "from": {"id": "…", "name": "…"},
                 "chat": {"id": "…", "chat_type": "PRIVATE"},
                 "photo": "https://…/image.jpg", "caption": "…"}}}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    return str(value).strip() if isinstance(value, int | str) else ""


def load_updates(body: bytes) -> list[Mapping[str, Any]] | None:
    """The updates in a webhook body (flat or wrapped), or None if it is not a JSON object."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    if "result" in data and "event_name" not in data:
        result = data["result"]
        items = result if isinstance(result, list) else [result]
        return [u for u in items if isinstance(u, Mapping)]
    return [data]


@dataclass(frozen=True, slots=True)
class BotMessage:
    """The fields of one update that the adapter uses."""

    event_name: str
    message_id: str
    chat_id: str
    sender_name: str | None
    text: str
    photo: str | None
    date_ms: int | None


def _photo(message: Mapping[str, Any]) -> str | None:
    for key in ("photo", "photo_url", "image_url", "url"):
        value = message.get(key)
        if isinstance(value, list) and value:  # Telegram-style sizes: take the largest (last)
            value = value[-1]
        if isinstance(value, Mapping):
            value = value.get("url") or value.get("file_id")
        if found := _str(value):
            return found
    return None


def message_of(update: Mapping[str, Any]) -> BotMessage:
    """Pick the fields out of one update; missing ones are empty."""
    message = _obj(update.get("message"))
    sender = _obj(message.get("from"))
    chat_id = _str(_obj(message.get("chat")).get("id")) or _str(sender.get("id"))
    text = message.get("text")
    caption = message.get("caption")
    date = message.get("date")
    name = _str(sender.get("display_name")) or _str(sender.get("name"))
    return BotMessage(
        event_name=_str(update.get("event_name")),
        message_id=_str(message.get("message_id")),
        chat_id=chat_id,
        sender_name=name or None,
        text=text if isinstance(text, str) else caption if isinstance(caption, str) else "",
        photo=_photo(message),
        date_ms=date if isinstance(date, int) and not isinstance(date, bool) else None,
    )
