"""Zalo Official Account (OA API v3) webhook payloads, read tolerantly.

Zalo's official pages could not be read; the shapes below come from the official Java/.NET
SDK samples, third-party SDK types and public handlers, which partly disagree (see
``shared/reference/channels.md`` §2a, §5). Every accessor therefore accepts the variants seen:
strings or numbers for ids and coordinates, ``latitude``/``lat``, ``longitude``/``long``/``lng``,
coordinates nested under ``payload.coordinates`` or flat, a flat ``message.location``.

User sends text (real shape, ids are strings up to 19 digits, ``timestamp`` in ms as a string)::

    {"app_id": "1234567890123456789", "user_id_by_app": "5522172797175877301",
     "event_name": "user_send_text", "timestamp": "1767225600123",
     "sender": {"id": "2468458835296197922"}, "recipient": {"id": "579745863508352884"},
     "message": {"msg_id": "cb31dff1c39642cc1b83", "text": "Xin chào shop"}}

Follow / unfollow carry ``follower`` instead of ``sender`` and no ``msg_id``::

    {"app_id": "3206567425609033798", "oa_id": "579745863508352884",
     "user_id_by_app": "1923626015168953374", "event_name": "follow",
     "timestamp": "1630985527582", "source": "oa_profile",
     "follower": {"id": "8381381219617247797"}}

Image / location put ``attachments`` in ``message``::

    "message": {"msg_id": "…", "text": "",
                "attachments": [{"type": "image",
                                 "payload": {"thumbnail": "https://…", "url": "https://…"}}]}
    "message": {"msg_id": "…", "attachments": [{"type": "location", "payload":
                {"coordinates": {"latitude": "10.7642473", "longitude": "106.6564314"}}}]}

Delivery reports name the OA as sender and the user as recipient::

    {"event_name": "user_seen_message", "sender": {"id": "<oa>"}, "recipient": {"id": "<user>"},
     "message": {"msg_ids": ["…", "…"]}, "timestamp": "…"}

The consent form (``request_user_info`` template) answers with ``user_submit_info``::

    {"event_name": "user_submit_info", "sender": {"id": "…"}, "timestamp": "…",
     "info": {"name": "Lò Văn Páo", "phone": "84912345678", "address": "…", "city": "…"}}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.json import JSON
from bot.domain.messages import Location


def load_json(body: bytes) -> JSON | None:
    """The body as a JSON object, or None when it is not one (never raises)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def text_of(value: object) -> str:
    """Ids and numbers as strings ("123", 123 -> "123"); anything else -> ""."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | str):
        return str(value).strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return ""


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True, slots=True)
class OaEvent:
    """The fields of one OA webhook event that the adapter uses."""

    name: str
    timestamp: str  # ms since epoch, as sent
    user_id: str  # the resident: sender, follower, or (delivery reports) recipient
    msg_id: str
    text: str
    message: Mapping[str, Any]
    raw: Mapping[str, Any]

    @property
    def timestamp_ms(self) -> int | None:
        return int(self.timestamp) if self.timestamp.isdigit() else None


def event_of(data: Mapping[str, Any]) -> OaEvent:
    """Pick the common fields out of a webhook body (missing ones are empty strings)."""
    name = text_of(data.get("event_name"))
    message = _obj(data.get("message"))
    if name in ("user_received_message", "user_seen_message"):
        # The OA sent the message these report on; the resident is the recipient.
        user = text_of(_obj(data.get("recipient")).get("id"))
    else:
        user = text_of(_obj(data.get("sender")).get("id"))
    user = user or text_of(_obj(data.get("follower")).get("id")) or text_of(data.get("user_id"))
    text = message.get("text")
    return OaEvent(
        name=name,
        timestamp=text_of(data.get("timestamp")),
        user_id=user,
        msg_id=text_of(message.get("msg_id")) or text_of(data.get("msg_id")),
        text=text if isinstance(text, str) else "",
        message=message,
        raw=data,
    )


def attachments(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``message.attachments`` (a list; a single object is accepted too)."""
    found = message.get("attachments", message.get("attachment"))
    if isinstance(found, Mapping):
        found = [found]
    return [a for a in found if isinstance(a, Mapping)] if isinstance(found, list) else []


def _float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]  # str / int / float all accepted
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is not a coordinate


def _coordinates(obj: Mapping[str, Any]) -> Location | None:
    nested = _obj(obj.get("coordinates"))
    if nested:
        return _coordinates(nested)
    lat = _float(obj.get("latitude", obj.get("lat")))
    lon = _float(obj.get("longitude", obj.get("long", obj.get("lng", obj.get("lon")))))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Location(lat=lat, lon=lon)


def location_of(message: Mapping[str, Any]) -> Location | None:
    """The shared pin, from an attachment payload or a flat ``message.location``."""
    for item in attachments(message):
        if text_of(item.get("type")) in ("location", ""):
            found = _coordinates(_obj(item.get("payload")))
            if found:
                return found
    return _coordinates(_obj(message.get("location")))


def media_of(message: Mapping[str, Any]) -> tuple[str, ...]:
    """URLs of the images the resident sent (full size, else the thumbnail), by reference."""
    urls: list[str] = []
    for item in attachments(message):
        payload = _obj(item.get("payload"))
        url = text_of(payload.get("url")) or text_of(payload.get("thumbnail"))
        if url and text_of(item.get("type")) in ("image", "photo", ""):
            urls.append(url)
    return tuple(urls)


def delivered_ids(event: OaEvent) -> tuple[str, ...]:
    """The OA message ids a delivery / seen report is about (``msg_id`` or ``msg_ids``)."""
    ids = event.message.get("msg_ids", event.raw.get("msg_ids"))
    many = [text_of(i) for i in ids] if isinstance(ids, list) else []
    return tuple(i for i in [event.msg_id, *many] if i)


def submitted_info(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(phone, name)`` from a ``user_submit_info`` event."""
    info = _obj(data.get("info"))
    return text_of(info.get("phone")) or None, text_of(info.get("name")) or None
