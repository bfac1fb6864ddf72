"""The engine's replies -> Telegram messages (text plus one ``reply_markup`` each).

Text is split at 4096 UTF-16 units and button payloads are checked (1..64 bytes) by
:func:`bot.render.render`. Each :class:`Outbound` carries its markup as plain JSON in
``meta["reply_markup"]`` (so an outbound can be queued and retried as data):

- choices -> an inline keyboard, one button per row (Vietnamese titles are long), each
  ``callback_data`` = the button payload, which comes back as ``Inbound.button``;
- ``request="location" | "contact"`` -> a one-time reply keyboard whose first button asks for
  the pin / the phone number; the reply's buttons follow as plain text buttons (a reply
  keyboard cannot carry payloads, so pressing one sends its title, e.g. "Bỏ qua", which the
  steps accept as typed text). Labels come from the catalogue keys in :data:`REQUEST_KEYS`;
- anything else -> ``remove_keyboard`` (courier's habit), so a leftover location keyboard
  disappears as soon as the conversation moves on.

Sample of the location keyboard as sent::

    {"keyboard": [[{"text": "📍 Gửi vị trí", "request_location": true}], [{"text": "Bỏ qua"}]],
     "resize_keyboard": true, "one_time_keyboard": true}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.domain.messages import Outbound, Reply
from bot.render import RenderedMessage, render

CHANNEL = "telegram"
# request kind -> (catalogue key of the button label, KeyboardButton flag)
REQUEST_KEYS: dict[str, tuple[str, str]] = {
    "location": ("telegram.share_location", "request_location"),
    "contact": ("telegram.share_contact", "request_contact"),
}
REMOVE_KEYBOARD: dict[str, Any] = {"remove_keyboard": True}
Texts = Callable[[str, str], str]


def render_outbounds(
    address: str, replies: Sequence[Reply], language: str, texts: Texts
) -> list[Outbound]:
    """One Outbound per Telegram message, in order. ``ValueError`` for a bad button payload."""
    outbounds = []
    for msg in render(replies, CHANNEL):
        markup = reply_markup(msg, language, texts)
        text = msg.text or _fallback_text(msg, language, texts)
        outbounds.append(
            Outbound(
                CHANNEL,
                address,
                text,
                buttons=msg.buttons,
                request=msg.request,
                meta={"reply_markup": markup},
            )
        )
    return outbounds


def reply_markup(msg: RenderedMessage, language: str, texts: Texts) -> dict[str, Any]:
    """The ``reply_markup`` JSON for one rendered message."""
    special = REQUEST_KEYS.get(msg.request or "")
    if special is not None:
        key, flag = special
        rows: list[list[dict[str, Any]]] = [[{"text": texts(key, language), flag: True}]]
        rows.extend([{"text": b.title}] for b in msg.buttons)
        return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}
    if msg.buttons:
        rows = [[{"text": b.title, "callback_data": b.payload}] for b in msg.buttons]
        return {"inline_keyboard": rows}
    return dict(REMOVE_KEYBOARD)


def _fallback_text(msg: RenderedMessage, language: str, texts: Texts) -> str:
    """Telegram refuses an empty text: a bare keyboard message shows its first label."""
    special = REQUEST_KEYS.get(msg.request or "")
    if special is not None:
        return texts(special[0], language)
    return msg.buttons[0].title if msg.buttons else "…"
