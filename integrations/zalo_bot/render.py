"""Engine replies -> Zalo Bot messages: plain text, options as numbered lines, 2000 per part.

The Bot Platform has no buttons we can rely on, so choices are written as ``1. …`` lines plus
the catalogue's "reply with a number" hint (the engine accepts "1", "2", ... in every choice
step). The SMS renderer is not used: its budget is in SMS segments, while this channel's limit
is 2000 characters per ``sendMessage``.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.messages import Outbound, Reply
from bot.render import numbered_lines, split_text, utf16_units
from bot.textnorm import nfc

TEXT_LIMIT = 2000


def chunks(text: str) -> list[str]:
    """``text`` cut at natural boundaries into parts of at most 2000 UTF-16 units."""
    return split_text(text, lambda part: utf16_units(part) <= TEXT_LIMIT)


def render_replies(
    channel: str, address: str, replies: Sequence[Reply], hint: str
) -> list[Outbound]:
    """One or more text messages per reply; options as numbered lines under the text."""
    messages: list[Outbound] = []
    for reply in replies:
        body = nfc(reply.text).strip()
        if reply.buttons:
            body = "\n".join(t for t in (body, numbered_lines(reply.buttons), hint) if t)
        messages.extend(Outbound(channel, address, part) for part in chunks(body))
    return messages
