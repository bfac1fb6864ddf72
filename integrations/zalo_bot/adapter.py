"""Zalo Bot Platform adapter (Telegram-like Bot API at ``{api_base}/bot<TOKEN>/<method>``).

- ``verify``: header ``X-Bot-Api-Secret-Token`` equals the ``secret_token`` given to
  ``setWebhook`` (constant time); missing -> 401, wrong (or none configured) -> 403.
- ``parse``: ``message.text.received`` and ``message.image.received`` -> Inbound at
  ``zalobot:<chat id>``, external id ``<event_name>:<message_id>`` (there is no update id);
  stickers, unsupported messages and unknown events -> nothing (200).
- ``send``: ``sendMessage {chat_id, text}``; texts over 2000 characters go as several calls.
- ``set_webhook(url)``: ``setWebhook {url, secret_token}``.

The bot token is part of every URL, so URLs never go into errors, and a filter on the
``httpx`` logger masks the token in its request lines.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Sequence
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
from bot.config import Settings, ZaloBotSettings
from bot.domain.messages import Inbound, Outbound, Reply
from bot.render import NUMBERED_HINT
from integrations.registry import AdapterDeps
from integrations.zalo_bot import payloads, render

log = logging.getLogger(__name__)
PREFIX = "zalobot:"
HEADER = "x-bot-api-secret-token"
EVENTS = frozenset({"message.text.received", "message.image.received"})


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
    if not any(isinstance(f, _MaskToken) for f in logger.filters):
        logger.addFilter(_MaskToken())


class ZaloBotAdapter(AdapterDefaults):
    """The ``zalo_bot`` channel."""

    name = "zalo_bot"
    rendering = "zalo"
    schemes: tuple[str, ...] = ("zalobot",)

    def __init__(
        self,
        settings: ZaloBotSettings,
        texts: Callable[[str, str], str] | None = None,
        *,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._s = settings
        self._texts = texts
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        _install_mask(settings.token.get_secret_value() if settings.token else "")

    async def verify(self, request: WebhookRequest) -> None:
        given = request.headers.get(HEADER, "")
        if not given:
            raise Unauthorized(401, "missing X-Bot-Api-Secret-Token")
        secret = self._s.webhook_secret.get_secret_value() if self._s.webhook_secret else ""
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
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
        image = msg.event_name == "message.image.received"
        return Inbound(
            adapter=self.name,
            address=PREFIX + msg.chat_id,
            external_id=f"{msg.event_name}:{msg.message_id}",
            text=msg.text,
            media=(msg.photo,) if image and msg.photo else (),
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
        return render.render_replies(self.name, address, replies, self._hint(language))

    def _hint(self, language: str) -> str:
        fallback = NUMBERED_HINT.get(language, NUMBERED_HINT["vi"])
        if self._texts is None:
            return fallback
        try:
            return self._texts("sms.numbered_hint", language) or fallback
        except KeyError:
            return fallback

    async def send(self, message: Outbound) -> SendResult:
        """``sendMessage``; a text over 2000 characters is sent as several messages in order."""
        if not message.address.startswith(PREFIX):
            raise SendError("permanent", f"not a Zalo Bot address: {message.address}")
        chat_id = message.address.removeprefix(PREFIX)
        last: Any = None
        for part in render.chunks(message.text) or [message.text]:
            last = await self._call("sendMessage", {"chat_id": chat_id, "text": part})
        msg_id = last.get("message_id") if isinstance(last, dict) else None
        return SendResult(external_id=str(msg_id) if msg_id is not None else None)

    async def set_webhook(self, url: str) -> None:
        """Point the bot at ``url`` with our secret (8-256 characters)."""
        secret = self._s.webhook_secret.get_secret_value() if self._s.webhook_secret else ""
        if not 8 <= len(secret) <= 256:
            raise ValueError("BANBOT_ZALO_BOT__WEBHOOK_SECRET must be 8-256 characters")
        await self._call("setWebhook", {"url": url, "secret_token": secret})

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        """One Bot API call; the ``result`` on success, else SendError (no URL in it)."""
        token = self._s.token.get_secret_value() if self._s.token else ""
        if not token:
            raise SendError("permanent", "Zalo Bot token not set", code="zalo_bot_auth")
        url = f"{self._s.api_base}/bot{token}/{method}"
        try:
            response = await self._http.post(url, json=params)
        except httpx.HTTPError as exc:
            raise SendError("retryable", f"network error: {type(exc).__name__}") from None
        try:
            reply = response.json()
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            reply = {}
        if response.status_code == 200 and reply.get("ok") is True:
            return reply.get("result")
        raise _error(response, reply)

    async def aclose(self) -> None:
        await self._http.aclose()


def _error(response: httpx.Response, reply: dict[str, Any]) -> SendError:
    """Telegram-style error mapping (the Bot Platform copies its envelope)."""
    code = reply.get("error_code")
    status = code if isinstance(code, int) and not isinstance(code, bool) else 0
    status = status or response.status_code
    detail = f"Zalo Bot {status}: {str(reply.get('description') or '')[:200]}"
    if status == 429:
        params = reply.get("parameters")
        after = params.get("retry_after") if isinstance(params, dict) else None
        header = response.headers.get("retry-after", "")
        retry = float(after) if isinstance(after, int | float) else None
        retry = retry or (float(header) if header.isdigit() else 1.0)
        return SendError("throttled", detail, retry_after=retry, code="http_429")
    if status >= 500 or (response.status_code == 200 and not reply):
        return SendError("retryable", detail)
    if status == 403:
        return SendError("stopped", detail, code="zalo_bot_403")
    if status in (401, 404):
        return SendError("permanent", detail, code="zalo_bot_auth")
    return SendError("permanent", detail, code=f"zalo_bot_{status}")


def build(settings: Settings, deps: AdapterDeps) -> ZaloBotAdapter:
    """Registry entry point."""
    return ZaloBotAdapter(settings.zalo_bot, deps.texts)
