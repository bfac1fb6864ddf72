"""Engine replies -> Zalo OA messages (``POST /v3.0/oa/message/cs`` bodies).

Buttons become a template attachment of ``oa.query.show`` buttons (at most 5; ``bot.render``
already moves extra buttons to follow-up messages). Zalo sends a pressed query button back as
an ordinary ``user_send_text`` whose text is the button's payload, and ``oa.query.show`` also
shows that text in the resident's own chat bubble. So the payload we give Zalo is the title the
resident tapped followed by a tag and our payload, ``"Có #bb:yes"``: the bubble reads as the
choice made, and :func:`pressed_button` recognises the tag and gives ``Inbound.button = "yes"``
with ``text = "Có"``. Someone typing ``#bb:...`` by hand is treated as pressing that button,
which the engine checks against the buttons it offered anyway.

More than 5 buttons on one message (only if a caller bypasses ``bot.render``) fall back to
numbered text lines; the engine accepts "1", "2", ... in every choice step.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.domain.messages import Button, Outbound, Reply
from bot.render import MORE_OPTIONS, NUMBERED_HINT, numbered_lines, render

MAX_BUTTONS = 5  # OA template limit
MAX_PAYLOAD = 1000  # characters in an oa.query.* payload
TEXT_LIMIT = 2000  # characters in message.text
BUTTON_TAG = "#bb:"
_PRESSED = re.compile(r"^(?P<title>.*?)\s*#bb:(?P<payload>\S.*?)\s*$", re.DOTALL)


def render_replies(
    channel: str, address: str, replies: Sequence[Reply], language: str, hint: str
) -> list[Outbound]:
    """Split and group ``replies`` for Zalo (2000 characters, 5 buttons per message)."""
    more = MORE_OPTIONS.get(language, MORE_OPTIONS["vi"])
    rendered = render(replies, "zalo", numbered_hint=hint, more_options_text=more)
    return [
        Outbound(channel, address, m.text, buttons=m.buttons, request=m.request) for m in rendered
    ]


def button_payload(button: Button) -> str:
    """What Zalo sends back when ``button`` is pressed: ``"<title> #bb:<payload>"``."""
    tagged = f"{button.title} {BUTTON_TAG}{button.payload}"
    return tagged if len(tagged) <= MAX_PAYLOAD else f"{BUTTON_TAG}{button.payload}"


def pressed_button(text: str) -> tuple[str, str] | None:
    """``(title, payload)`` when ``text`` is a pressed button's payload, else None."""
    match = _PRESSED.match(text)
    if match is None:
        return None
    return match.group("title").strip(), match.group("payload")


def message_body(message: Outbound, hint: str = NUMBERED_HINT["vi"]) -> dict[str, Any]:
    """The ``message`` object of a CS message: text, plus buttons as a template attachment."""
    text = message.text
    buttons = message.buttons
    if len(buttons) > MAX_BUTTONS:
        text = "\n".join(t for t in (text, numbered_lines(buttons), hint) if t)
        buttons = ()
    body: dict[str, Any] = {"text": text}
    if buttons:
        body["attachment"] = {
            "type": "template",
            "payload": {
                "buttons": [
                    {"title": b.title, "type": "oa.query.show", "payload": button_payload(b)}
                    for b in buttons
                ]
            },
        }
    return body
