"""Outbound SMS for the Android gateway: the shared SMS rendering, at most 8 parts.

Android refuses long multipart texts with ``RESULT_ERROR_LIMIT_EXCEEDED`` from about 9 parts
(docs.sms-gate.app/faq/errors), so the segment budget is capped at 8 whatever the settings
say. Each part of a Vietnamese text with diacritics holds 67 characters (UCS-2); unaccented
mode (``BANBOT_SMS_UNACCENTED``) gives 153 and usually halves the parts the SIM pays for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.config import Settings
from bot.domain.messages import Outbound, Reply
from integrations.sms_common import render_sms

MAX_PARTS = 8


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
        max_segments=min(settings.sms_max_segments, MAX_PARTS),
        unaccented=settings.sms_unaccented,
        texts=texts,
    )
