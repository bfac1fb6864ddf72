"""Telegram Bot API adapter (aiogram 3): webhook verify / parse, render, send, setWebhook.

- ``verify``: ``X-Telegram-Bot-Api-Secret-Token`` against the configured ``webhook_secret`` in
  constant time; missing -> 401, wrong -> 403. ``build`` refuses to start without a valid
  secret, so an enabled adapter never accepts unauthenticated updates.
- ``parse``: see :mod:`integrations.telegram.payloads`. A button press is answered *in the
  webhook response* (``{"method": "answerCallbackQuery", ...}``, which Telegram executes), so
  the spinner on the resident's phone stops at once and no extra API call is spent; polling
  mode executes the same body through the API (:meth:`TelegramAdapter.run_reply`).
- ``send``: one ``sendMessage``; aiogram's errors map to our four kinds (``SendError``):
  429 -> throttled (``retry_after``), 403 blocked / deactivated -> stopped, 400 / 404 / 413 /
  401 -> permanent, 5xx / network / unreadable answer -> retryable.

Rate limits (≈1 msg/s per chat, ≈30/s overall) are the sender's job, not this class's.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import (
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from bot.channels.base import (
    AdapterDefaults,
    ParseResult,
    SendError,
    SendResult,
    Unauthorized,
    WebhookRequest,
)
from bot.config import Settings
from bot.domain.messages import Outbound, Reply
from integrations.registry import AdapterDeps
from integrations.telegram import payloads
from integrations.telegram.render import render_outbounds

log = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105  the header name, not a secret
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
_SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


class TelegramAdapter(AdapterDefaults):
    """One Telegram bot. ``bot`` is aiogram's client (its session is the HTTP transport)."""

    name = "telegram"
    rendering = "telegram"
    schemes: tuple[str, ...] = ("telegram",)

    def __init__(self, bot: Bot, webhook_secret: str, texts: Callable[[str, str], str]) -> None:
        self.bot = bot
        self._secret = webhook_secret.encode()
        self._texts = texts

    async def verify(self, request: WebhookRequest) -> None:
        given = request.headers.get(SECRET_HEADER, "")
        if not given:
            raise Unauthorized(401, "missing X-Telegram-Bot-Api-Secret-Token")
        if not secrets.compare_digest(given.encode(), self._secret):
            raise Unauthorized(403, "wrong X-Telegram-Bot-Api-Secret-Token")

    def parse(self, request: WebhookRequest) -> ParseResult:
        return self.parse_update(payloads.validate(request.body))

    def parse_update(self, update: Update) -> ParseResult:
        """The webhook and polling paths meet here (polling has an ``Update`` already)."""
        inbounds = payloads.to_inbounds(update)
        query = update.callback_query
        if query is None:
            return ParseResult(inbounds)
        answer = AnswerCallbackQuery(callback_query_id=query.id)
        body = json.dumps({"method": answer.__api_method__, "callback_query_id": query.id})
        return ParseResult(inbounds, response_body=body, response_type="application/json")

    async def run_reply(self, body: str) -> None:
        """Execute a webhook-reply body through the API (polling mode has no HTTP response)."""
        if not body:
            return
        data = json.loads(body)
        if data.pop("method", None) == "answerCallbackQuery":
            await self.bot(AnswerCallbackQuery.model_validate(data))

    def render(
        self,
        address: str,
        replies: Sequence[Reply],
        language: str,
        rendering: str | None = None,
    ) -> list[Outbound]:
        return render_outbounds(address, replies, language, self._texts)

    async def send(self, message: Outbound) -> SendResult:
        try:
            chat = payloads.chat_id(message.address)
        except ValueError as exc:
            raise SendError("permanent", str(exc)) from exc
        markup = _markup(message.meta.get("reply_markup"))
        try:
            sent = await self.bot.send_message(chat_id=chat, text=message.text, reply_markup=markup)
        except TelegramRetryAfter as exc:
            raise SendError(
                "throttled", exc.message, retry_after=float(exc.retry_after), code="429"
            ) from exc
        except TelegramForbiddenError as exc:  # blocked by the user, user deactivated
            raise SendError("stopped", exc.message, code="403") from exc
        except (
            TelegramBadRequest,
            TelegramEntityTooLarge,
            TelegramNotFound,
            TelegramUnauthorizedError,
            TelegramMigrateToChat,
        ) as exc:
            raise SendError("permanent", exc.message, code=type(exc).__name__) from exc
        except (TelegramAPIError, ClientDecodeError) as exc:  # 5xx, network, garbled answer
            detail = str(exc).replace(self.bot.token, "<token>")  # never echo the token
            raise SendError("retryable", detail, code=type(exc).__name__) from exc
        return SendResult(external_id=str(sent.message_id))

    async def set_webhook(self, url: str) -> bool:
        """Point Telegram at ``url`` with our secret; pending updates are kept."""
        return await self.bot.set_webhook(
            url=url,
            secret_token=self._secret.decode(),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )

    async def webhook_info(self) -> dict[str, Any]:
        """``getWebhookInfo`` as plain JSON (url, pending_update_count, last_error_message...)."""
        info = await self.bot.get_webhook_info()
        return info.model_dump(mode="json", exclude_none=True)

    async def aclose(self) -> None:
        await self.bot.session.close()


def _markup(raw: object) -> Markup | None:
    if not isinstance(raw, dict):
        return None
    if "inline_keyboard" in raw:
        return InlineKeyboardMarkup.model_validate(raw)
    if "keyboard" in raw:
        return ReplyKeyboardMarkup.model_validate(raw)
    if raw.get("remove_keyboard"):
        return ReplyKeyboardRemove.model_validate(raw)
    return None


def build(
    settings: Settings, deps: AdapterDeps, *, session: BaseSession | None = None
) -> TelegramAdapter:
    """The adapter from ``settings.telegram``; ``session`` replaces HTTP (tests, benchmarks).

    Raises ``ValueError`` when the token or a valid ``webhook_secret`` is missing.
    """
    cfg = settings.telegram
    if cfg.token is None or not cfg.token.get_secret_value().strip():
        raise ValueError("BANBOT_TELEGRAM__TOKEN is required when Telegram is enabled")
    secret = cfg.webhook_secret.get_secret_value() if cfg.webhook_secret else ""
    if not _SECRET_FORMAT.fullmatch(secret):
        raise ValueError(
            "BANBOT_TELEGRAM__WEBHOOK_SECRET is required: 1-256 characters of A-Z a-z 0-9 _ -"
        )
    session = session or AiohttpSession(api=TelegramAPIServer.from_base(cfg.api_base))
    bot = Bot(cfg.token.get_secret_value().strip(), session=session)
    return TelegramAdapter(bot, secret, deps.texts)
