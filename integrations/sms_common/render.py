"""The engine's replies -> SMS ``Outbound`` messages, one per SMS (possibly multi-part).

Rendering itself is :func:`bot.render.render` on channel ``"sms"``: buttons become numbered
lines plus the catalogue's ``sms.numbered_hint``; each message stays within the segment budget
(GSM-7 160/153, UCS-2 70/67), optionally without diacritics. Each Outbound carries in ``meta``:
``adapter`` (which SMS adapter sends it), ``segments`` and ``encoding`` ("gsm7" / "ucs2"), the
numbers logs and metrics show — the text itself is never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from bot.config import Settings
from bot.domain.messages import Outbound, Reply
from bot.render import render
from integrations.common import mask

log = logging.getLogger(__name__)
RENDERING = "sms"  # how both SMS adapters render


def render_sms(
    adapter: str,
    address: str,
    replies: Sequence[Reply],
    language: str,
    *,
    max_segments: int,
    unaccented: bool,
    texts: Callable[[str, str], str],
) -> list[Outbound]:
    """Render ``replies`` for ``address`` (``tel:+84...``); empty replies give no message."""
    rendered = render(
        replies,
        RENDERING,
        sms_max_segments=max_segments,
        sms_unaccented=unaccented,
        numbered_hint=texts("sms.numbered_hint", language),
    )
    messages = [
        Outbound(
            adapter=adapter,
            address=address,
            text=m.text,
            meta={"segments": m.segments, "encoding": m.encoding},
        )
        for m in rendered
    ]
    if messages:
        log.info(
            "%s rendered %d sms for %s: %s segment(s), encodings %s",
            adapter,
            len(messages),
            mask(address),
            sum(int(m.segments or 0) for m in rendered),
            ",".join(sorted({str(m.encoding) for m in rendered})),
        )
    return messages


def render_with_settings(
    adapter: str,
    address: str,
    replies: Sequence[Reply],
    language: str,
    settings: Settings,
    texts: Callable[[str, str], str],
    *,
    max_parts: int | None = None,
) -> list[Outbound]:
    """:func:`render_sms` with the settings' segment budget and unaccented mode.

    ``max_parts`` caps the budget where a sender cannot take more parts (Android: 8).
    """
    budget = settings.sms_max_segments
    if max_parts is not None:
        budget = min(budget, max_parts)
    return render_sms(
        adapter,
        address,
        replies,
        language,
        max_segments=budget,
        unaccented=settings.sms_unaccented,
        texts=texts,
    )
