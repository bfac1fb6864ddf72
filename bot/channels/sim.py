"""The simulator as an adapter: the web chat and ``banbot chat`` talk to the pipeline directly
and get their replies in the HTTP answer; what the bot starts itself (an alert, a status
change, an officer's reply, a notice) is recorded here like any other send and shown in the
simulator's outbox (``GET /sim/outbox/{user}``), so a test and a person can see who was sent
what. It renders as the simulated person last chose (telegram, zalo or sms).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.channels.base import (
    AdapterDefaults,
    BadPayload,
    ParseResult,
    SendResult,
    Unauthorized,
    WebhookRequest,
)
from bot.config import Settings
from bot.domain.messages import RENDERINGS, Outbound, Reply
from bot.render.numbered import NUMBERED_HINT
from bot.render.render import render

NAME = "sim"


class SimAdapter(AdapterDefaults):
    """Sends nothing anywhere: a send is accepted at once (the row is the outbox)."""

    name = NAME
    rendering = "telegram"  # what a simulated person who never chose sees
    schemes: tuple[str, ...] = ("sim",)
    idempotent_sends = True

    def __init__(self, settings: Settings, texts: object = None) -> None:
        self._settings = settings
        self._texts = texts

    async def verify(self, request: WebhookRequest) -> None:
        raise Unauthorized(403, "the simulator has no webhook")

    def parse(self, request: WebhookRequest) -> ParseResult:
        raise BadPayload("the simulator has no webhook")

    def render(
        self,
        address: str,
        replies: Sequence[Reply],
        language: str,
        rendering: str | None = None,
    ) -> list[Outbound]:
        how = rendering if rendering in RENDERINGS else self.rendering
        return [
            Outbound(
                NAME,
                address,
                m.text,
                m.buttons,
                m.request,
                {"segments": m.segments, "encoding": m.encoding} if m.segments else {},
            )
            for m in render(
                replies,
                how,
                sms_max_segments=self._settings.sms_max_segments,
                sms_unaccented=self._settings.sms_unaccented,
                numbered_hint=self._hint(language),
            )
        ]

    def _hint(self, language: str) -> str:
        texts = self._texts
        fallback = NUMBERED_HINT.get(language, NUMBERED_HINT["vi"])
        if not callable(texts):
            return fallback
        try:
            return str(texts("sms.numbered_hint", language)) or fallback
        except KeyError:
            return fallback

    async def send(self, message: Outbound) -> SendResult:
        return SendResult(external_id=f"sim-{message.meta.get('outbound_id', '')}")
