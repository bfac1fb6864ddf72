"""Zalo Bot Platform adapter (Telegram-like Bot API at ``{api_base}/bot<TOKEN>/<method>``).

- built as ``ZaloBotAdapter(settings, deps)``: refuses to start without a token and a webhook
  secret of 8-256 characters (``AdapterConfigError``); ``deps.transport`` (an
  ``httpx.AsyncBaseTransport``) replaces HTTP.
- ``verify``: header ``X-Bot-Api-Secret-Token`` equals the ``secret_token`` given to
  ``setWebhook`` (constant time); missing -> 401, wrong -> 403.
- ``parse``: ``message.text.received``, ``message.image.received`` (media ``photo:<url>``)
  and ``message.sticker.received`` (media ``sticker:<id>``) -> Inbound at ``zalobot:<chat
  id>``, external id ``<event_name>:<message_id>`` (there is no update id); unsupported
  messages and unknown events -> nothing (200).
- ``send``: ``sendMessage {chat_id, text}``; texts over 2000 characters go as several calls
  (a failure after the first part is ``unknown``: sending again would repeat it). Errors are
  mapped in :mod:`integrations.zalo_bot.errors`.
- ``set_webhook(url)``: ``setWebhook {url, secret_token}``.

The bot token is part of every URL, so URLs never go into errors, and a filter on the
``httpx`` logger masks the token in its request lines.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from bot.channels.base import (
    AdapterDefaults,
    BadPayload,
    ParseResult,
    SendError,
    SendResult,
    Unauthorized,
    WebhookRequest,
)
from bot.config import Settings
from bot.domain.messages import Inbound, Outbound, Reply
from bot.logsafe import protect
from integrations.common import (
    logs_failures,
    numbered_hint,
    plain,
    require,
    require_secret_length,
    transport_of,
)
from integrations.registry import AdapterDeps
from integrations.zalo_bot import errors, payloads, render

PREFIX = "zalobot:"
HEADER = "x-bot-api-secret-token"
EVENTS = frozenset({"message.text.received", "message.image.received", "message.sticker.received"})


class _MaskToken(logging.Filter):
    """Masks known bot tokens in httpx's "HTTP Request: POST <url>" lines."""

    tokens: ClassVar[set[str]] = set()  # shared: one filter serves every adapter

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hits = [t for t in self.tokens if t in message]
        if hits:
            for token in hits:
                message = message.replace(token, "<token>")
            record.msg, record.args = message, None
        return True


def _install_mask(token: str) -> None:
    logger = logging.getLogger("httpx")
    if token:
        _MaskToken.tokens.add(token)
        # Also scrubbed when a record is made, before phone masking (bot/logsafe.py) turns
        # the token's digits into "****" and this filter would no longer recognise it.
        protect([token])
    if not any(isinstance(f, _MaskToken) for f in logger.filters):
        logger.addFilter(_MaskToken())


class ZaloBotAdapter(AdapterDefaults):
    """The ``zalo_bot`` channel."""

    name = "zalo_bot"
    rendering = "zalo"
    schemes: tuple[str, ...] = ("zalobot",)

    def __init__(self, settings: Settings, deps: AdapterDeps) -> None:
        cfg = settings.zalo_bot
        require(self.name, cfg, "token", "webhook_secret")
        self._secret = require_secret_length(self.name, cfg, "webhook_secret", 8, 256)
        self._token = plain(cfg.token)
        self._api_base = cfg.api_base
        self._texts = deps.texts
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(10.0),
            transport=transport_of(self.name, deps.transport, httpx.AsyncBaseTransport),
        )
        _install_mask(self._token)

    async def verify(self, request: WebhookRequest) -> None:
        given = request.headers.get(HEADER, "")
        if not given:
            raise Unauthorized(401, "missing X-Bot-Api-Secret-Token")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            raise Unauthorized(403, "wrong X-Bot-Api-Secret-Token")

    def parse(self, request: WebhookRequest) -> ParseResult:
        updates = payloads.load_updates(request.body)
        if updates is None:
            raise BadPayload("body is not a JSON object")
        inbounds = [m for m in map(self._inbound, updates) if m is not None]
        return ParseResult(inbounds=inbounds)

    def _inbound(self, update: Any) -> Inbound | None:
        msg = payloads.message_of(update)
        if msg.event_name not in EVENTS or not msg.chat_id or not msg.message_id:
            return None
        media: tuple[str, ...] = ()
        if msg.event_name == "message.image.received" and msg.photo:
            media = (f"photo:{msg.photo}",)
        elif msg.event_name == "message.sticker.received" and msg.sticker:
            media = (f"sticker:{msg.sticker}",)  # the engine answers it kindly
        return Inbound(
            adapter=self.name,
            rendering=self.rendering,
            address=PREFIX + msg.chat_id,
            external_id=f"{msg.event_name}:{msg.message_id}",
            text=msg.text,
            media=media,
            contact_name=msg.sender_name,
            received_at=(
                datetime.fromtimestamp(msg.date_ms / 1000, tz=UTC) if msg.date_ms else None
            ),
        )

    def render(
        self,
        address: str,
        replies: Sequence[Reply],
        language: str,
        rendering: str | None = None,
    ) -> list[Outbound]:
        hint = numbered_hint(self._texts, language)
        return render.render_replies(self.name, address, replies, hint)

    @logs_failures
    async def send(self, message: Outbound) -> SendResult:
        """``sendMessage``; a text over 2000 characters is sent as several messages in order."""
        if not message.address.startswith(PREFIX):
            raise SendError("permanent", f"not a Zalo Bot address: {message.address}")
        chat_id = message.address.removeprefix(PREFIX)
        parts = render.chunks(message.text) or [message.text]
        last: Any = None
        for n, part in enumerate(parts):
            try:
                last = await self._call("sendMessage", {"chat_id": chat_id, "text": part})
            except SendError as error:
                if n == 0 or error.kind in ("stopped", "permanent", "unknown"):
                    raise
                detail = f"{n} of {len(parts)} parts sent, then {error.detail}"
                raise SendError("unknown", detail, code=error.code) from None
        msg_id = last.get("message_id") if isinstance(last, dict) else None
        return SendResult(external_id=str(msg_id) if msg_id is not None else None)

    async def set_webhook(self, url: str) -> None:
        """Point the bot at ``url`` with our secret (8-256 characters, checked at build)."""
        await self._call("setWebhook", {"url": url, "secret_token": self._secret})

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        """One Bot API call; the ``result`` on success, else SendError (no URL in it)."""
        url = f"{self._api_base}/bot{self._token}/{method}"
        try:
            response = await self._http.post(url, json=params)
        except httpx.HTTPError as exc:
            raise errors.send_error(exc) from None
        return errors.result(response)

    async def aclose(self) -> None:
        await self._http.aclose()
