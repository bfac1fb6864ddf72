"""Outbound SMS for Twilio: the shared SMS rendering (numbered options, segment budget).

Twilio accepts a body of up to 1600 characters and recommends at most 10 segments; the
settings cap ``sms_max_segments`` at 10, and 10 GSM-7 parts are 1530 characters, so every
rendered message fits one ``messages.create``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.config import Settings
from bot.domain.messages import Outbound, Reply
from integrations.sms_common import render_sms

MAX_BODY = 1600


def render_replies(
    name: str,
    address: str,
    replies: Sequence[Reply],
    language: str,
    settings: Settings,
    texts: Callable[[str, str], str],
) -> list[Outbound]:
    """One Outbound per SMS, with ``meta`` segments / encoding."""
    return render_sms(
        name,
        address,
        replies,
        language,
        max_segments=settings.sms_max_segments,
        unaccented=settings.sms_unaccented,
        texts=texts,
    )
