"""Telegram ``Update`` payloads -> channel-neutral :class:`Inbound` messages.

The typed payloads are aiogram's own (``aiogram.types.Update`` and friends, Bot API 10.x);
this module validates a webhook body with them and maps the few update kinds the bot
understands. Everything else is an empty list (answered 200 and ignored):

- ``message`` in a private chat: text (``/start`` and its deep-link payload kept in the text,
  ``event="new_conversation"``), contact share, location / venue, and attachments as
  ``Inbound.media`` entries ``"<kind>:<file_id>"`` with the caption as text: ``photo:`` (the
  largest size; also an image sent as a file), ``voice:`` (voice notes and audio), ``sticker:``,
  ``video:`` (videos, round video notes, animations), ``file:`` (other documents); the engine
  answers each kindly. Dice, polls and service messages are ignored;
- ``callback_query`` with ``data`` (an inline-keyboard press): ``button`` = the data;
- ``my_chat_member`` in a private chat: the user blocked (``kicked``) -> ``event="stop"``,
  unblocked -> ``event="start"``;
- ``edited_message`` (also live-location updates), group / channel chats: ignored.

``external_id`` is always the ``update_id`` (the dedupe key Telegram documents). Sample text
update (required fields only, as Telegram sends them)::

    {"update_id": 815000101,
     "message": {"message_id": 42, "date": 1767225600,
                 "from": {"id": 123456789, "is_bot": false, "first_name": "Lan"},
                 "chat": {"id": 123456789, "type": "private", "first_name": "Lan"},
                 "text": "/start bao_lu",
                 "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, PhotoSize, Update
from pydantic import ValidationError

from bot.channels.base import BadPayload
from bot.channels.phones import normalize_phone
from bot.domain.messages import Inbound, Location

CHANNEL = "telegram"
# Content kinds with no media reference the engine could keep: an empty-text message (the
# step then says what it wants).
_UNSUPPORTED_CONTENT = frozenset({"dice", "poll"})
_START = re.compile(r"^/start(?:@\w+)?(?:\s+(?P<payload>.*))?$", re.DOTALL)


def validate(body: bytes) -> Update:
    """The webhook body as an ``Update``; :class:`BadPayload` for invalid JSON or fields."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPayload("invalid JSON") from exc
    if not isinstance(data, dict):
        raise BadPayload("a Telegram update is a JSON object")
    try:
        return Update.model_validate(data)
    except ValidationError as exc:
        raise BadPayload(f"invalid update: {exc.error_count()} field error(s)") from exc


def address(chat_id: int) -> str:
    """The URN of a chat: ``telegram:<chat id>``."""
    return f"{CHANNEL}:{chat_id}"


def chat_id(urn: str) -> int:
    """The chat id of ``telegram:<chat id>``; ``ValueError`` for any other address."""
    prefix, _, rest = urn.partition(":")
    if prefix != CHANNEL or not re.fullmatch(r"-?\d+", rest):
        raise ValueError(f"not a Telegram address: {urn!r}")
    return int(rest)


def largest_photo(sizes: list[PhotoSize]) -> PhotoSize:
    """The biggest rendition (Telegram lists them small to large; we do not rely on it)."""
    return max(sizes, key=lambda p: (p.width * p.height, p.file_size or 0))


def to_inbounds(update: Update) -> list[Inbound]:
    """The messages one update carries for the pipeline (zero or one)."""
    uid = str(update.update_id)
    if update.message is not None:
        found = _message(uid, update.message)
    elif update.callback_query is not None:
        found = _callback(uid, update.callback_query)
    elif update.my_chat_member is not None:
        found = _membership(uid, update.my_chat_member)
    else:  # edited_message, channel posts, reactions, inline queries, ...: not for us
        found = None
    return [found] if found is not None else []


def _message(uid: str, msg: Message) -> Inbound | None:
    if msg.chat.type != "private" or msg.from_user is None or msg.from_user.is_bot:
        return None  # the bot talks to residents one to one; groups would mix households
    base = Inbound(CHANNEL, address(msg.chat.id), uid, received_at=msg.date, rendering=CHANNEL)
    if msg.text is not None:
        start = _START.match(msg.text.strip())
        if start:
            payload = (start.group("payload") or "").strip()
            text = f"/start {payload}" if payload else "/start"
            return _with(base, text=text, event="new_conversation")
        return _with(base, text=msg.text)
    if msg.contact is not None:
        own = msg.contact.user_id is not None and msg.contact.user_id == msg.from_user.id
        if not own:  # someone else's card: never link a stranger's number to this sender
            return base
        name = " ".join(n for n in (msg.contact.first_name, msg.contact.last_name) if n)
        phone = normalize_phone(msg.contact.phone_number)
        return _with(base, contact_phone=phone, contact_name=name or None)
    if msg.location is not None:  # a plain pin or a venue (which carries one)
        pin = Location(msg.location.latitude, msg.location.longitude)
        return _with(base, location=pin)
    media = _media(msg)
    if media is not None:
        return _with(base, media=(media,), text=msg.caption or "")
    if msg.content_type in _UNSUPPORTED_CONTENT:
        return _with(base, text=msg.caption or "")
    return None  # service messages (pinned, write access allowed, ...)


def _media(msg: Message) -> str | None:
    """``"<kind>:<file_id>"`` of the message's attachment (see the module docstring), or None."""
    if msg.photo:
        return f"photo:{largest_photo(msg.photo).file_id}"
    found: list[tuple[str, Any]] = [
        ("voice", msg.voice),
        ("voice", msg.audio),
        ("sticker", msg.sticker),
        ("video", msg.video),
        ("video", msg.video_note),
        ("video", msg.animation),  # an animation also fills ``document``: it comes first
    ]
    for kind, item in found:
        if item is not None:
            return f"{kind}:{item.file_id}"
    doc = msg.document
    if doc is not None:
        kind = "photo" if (doc.mime_type or "").startswith("image/") else "file"
        return f"{kind}:{doc.file_id}"
    return None


def _callback(uid: str, query: CallbackQuery) -> Inbound | None:
    if query.data is None:  # a game button: nothing for the pipeline (still answered)
        return None
    chat = query.message.chat if query.message is not None else None
    if chat is not None and chat.type != "private":
        return None
    # Without the message (very old or inline), the user's id is their private chat id.
    target = chat.id if chat is not None else query.from_user.id
    return Inbound(
        CHANNEL,
        address(target),
        uid,
        button=query.data,
        received_at=datetime.now(UTC),
        rendering=CHANNEL,
    )


def _membership(uid: str, change: ChatMemberUpdated) -> Inbound | None:
    if change.chat.type != "private":
        return None
    new, old = change.new_chat_member.status, change.old_chat_member.status
    if new == "kicked":
        event = "stop"
    elif old == "kicked" and new == "member":
        event = "start"
    else:
        return None
    return Inbound(
        CHANNEL,
        address(change.chat.id),
        uid,
        event=event,
        received_at=change.date,
        rendering=CHANNEL,
    )


def _with(base: Inbound, **fields: Any) -> Inbound:
    return replace(base, **fields)
