"""The gateway's webhook JSON, typed (app ``WebHookEventDTO`` / ``SmsEventPayload``).

Envelope with an ``sms:received`` payload (docs.sms-gate.app/features/webhooks)::

    {"deviceId": "ffffffffceb0b1db0000018e937c815b", "event": "sms:received",
     "id": "Ey6ECgOkVVFjz3CL48B8C", "webhookId": "LreFUt-Z3sSq0JufY9uWB",
     "payload": {"messageId": "a80532bb", "message": "Xin chao", "sender": "+84912345678",
                 "recipient": "+84987654321", "phoneNumber": "+84912345678", "simNumber": 1,
                 "receivedAt": "2026-06-22T15:46:11.000+07:00"}}

``sender`` exists since app v1.54 (Feb 2026); older apps send only the now deprecated
``phoneNumber``. The app serialises with Gson without ``serializeNulls``, so a null
``recipient`` / ``simNumber`` is usually *absent*: every field but the text and the sender is
optional here (the PyPI client's ``SmsReceivedPayload.from_dict`` indexes ``phoneNumber`` and
``sender`` with ``[]`` and breaks on either app generation, which is why it is not used).

Outbound reports carry the id we sent with::

    {"event": "sms:delivered", "id": "...", "deviceId": "...", "webhookId": "...",
     "payload": {"messageId": "out-42", "sender": "+84987654321", "recipient": "+84912345678",
                 "simNumber": 1, "deliveredAt": "2026-06-22T15:47:02.000+07:00"}}

``sms:sent`` adds ``partsCount`` / ``sentAt``; ``sms:failed`` has ``failedAt`` and ``reason``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.channels.base import BadPayload


@dataclass(frozen=True, slots=True)
class Envelope:
    """Every webhook: the event name, the per-emission id, the event's own payload."""

    event: str
    id: str
    payload: dict[str, Any]
    device_id: str | None = None


@dataclass(frozen=True, slots=True)
class SmsReceived:
    """``sms:received``: a text a resident sent to the gateway phone."""

    message_id: str | None
    sender: str
    text: str
    received_at: str | None

    def dedupe_key(self, envelope_id: str) -> str:
        """Content-based id: the app re-emits the same SMS with a *new* envelope id
        (capcom6/android-sms-gateway issues 288, 301, 310, 372), so the envelope id alone
        would let duplicates through. ``messageId`` is a 32-bit hash of sender, date, SIM and
        text; with ``receivedAt`` (milliseconds) a resident repeating the same text later is
        still a new message. The envelope id is the fallback for payloads without either."""
        if self.message_id and self.received_at:
            return f"{self.message_id}@{self.received_at}"
        return self.message_id or envelope_id

    def received_datetime(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.received_at) if self.received_at else None
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class SmsReport:
    """``sms:sent`` / ``sms:delivered`` / ``sms:failed`` / ``sms:cancelled`` for our message."""

    event: str
    message_id: str
    reason: str | None = None


def parse_envelope(body: bytes) -> Envelope:
    """The envelope; ``BadPayload`` for invalid JSON or a body without ``event``."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadPayload(f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise BadPayload("not a gateway webhook (no event)")
    payload = data.get("payload")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise BadPayload("payload is not an object")
    device = data.get("deviceId")
    return Envelope(data["event"], str(data.get("id") or ""), payload, device)


def sms_received(payload: dict[str, Any]) -> SmsReceived:
    """``sms:received`` payload; ``BadPayload`` without a sender or a text."""
    sender = payload.get("sender") or payload.get("phoneNumber")
    text = payload.get("message")
    if not isinstance(sender, str) or not sender or not isinstance(text, str):
        raise BadPayload("sms:received without sender or message")
    message_id, received_at = payload.get("messageId"), payload.get("receivedAt")
    return SmsReceived(
        message_id=str(message_id) if message_id else None,
        sender=sender,
        text=text,
        received_at=str(received_at) if received_at else None,
    )


def sms_report(event: str, payload: dict[str, Any]) -> SmsReport:
    """An outbound report; ``BadPayload`` without ``messageId``."""
    message_id = payload.get("messageId")
    if not message_id:
        raise BadPayload(f"{event} without messageId")
    reason = payload.get("reason")
    return SmsReport(event, str(message_id), str(reason) if reason else None)
