"""Telegram Bot API adapter (aiogram 3): webhook verify / parse, render, send, setWebhook.

- built as ``TelegramAdapter(settings, deps)``; refuses to start without a token and a valid
  ``webhook_secret`` (``AdapterConfigError``), so an enabled adapter never accepts
  unauthenticated updates. ``deps.transport`` (an aiogram ``BaseSession``) replaces HTTP.
- ``verify``: ``X-Telegram-Bot-Api-Secret-Token`` against the configured ``webhook_secret`` in
  constant time; missing -> 401, wrong -> 403.
- ``parse``: see :mod:`integrations.telegram.payloads`. A button press is answered *in the
  webhook response* (``{"method": "answerCallbackQuery", ...}``, which Telegram executes), so
  the spinner on the resident's phone stops at once and no extra API call is spent; polling
  mode executes the same body through the API (:meth:`TelegramAdapter.run_reply`).
- ``send``: one ``sendMessage``; aiogram's errors map to our vocabulary in
  :mod:`integrations.telegram.errors` (a timeout after sending is ``unknown``).

Rate limits (≈1 msg/s per chat, ≈30/s overall) are the sender's job, not this class's.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import ClientDecodeError, TelegramAPIError
from aiogram.methods import AnswerCallbackQuery
from aiogram.methods.base import Response
from aiogram.types import (
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from aiogram.utils.token import TokenValidationError

from bot.channels.base import (
    AdapterConfigError,
    AdapterDefaults,
    ParseResult,
    SendError,
    SendResult,
    Unauthorized,
    WebhookRequest,
)
from bot.config import Settings
from bot.domain.messages import Outbound, Reply
from integrations.common import logs_failures, plain, require, transport_of
from integrations.registry import AdapterDeps, env_var
from integrations.telegram import errors, payloads
from integrations.telegram.render import render_outbounds

# aiogram validates every answer as Response[<the method's type>]; pydantic keeps a generic
# model only while something refers to it, so after each garbage collection the worker
# rebuilt Response[Message] (schema and all): 9 % of a notice pump's CPU (py-spy). Keep them.
_RESPONSE_MODELS = (Response[Message], Response[bool])

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105  the header name, not a secret
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
_SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


class TelegramAdapter(AdapterDefaults):
    """One Telegram bot. ``bot`` is aiogram's client (its session is the HTTP transport)."""

    name = "telegram"
    rendering = "telegram"
    schemes: tuple[str, ...] = ("telegram",)
    redelivers = True  # Telegram keeps an update and retries until the webhook answers 2xx

    def __init__(self, settings: Settings, deps: AdapterDeps) -> None:
        cfg = settings.telegram
        require(self.name, cfg, "token", "webhook_secret")
        secret = plain(cfg.webhook_secret)
        if not _SECRET_FORMAT.fullmatch(secret):
            raise AdapterConfigError(
                f"{env_var(self.name, 'webhook_secret')} must be 1-256 characters of "
                "A-Z a-z 0-9 _ -"
            )
        # BaseSession is abstract; only isinstance() is done with it
        session = transport_of(self.name, deps.transport, BaseSession)  # type: ignore[type-abstract]
        if session is None:
            session = AiohttpSession(api=TelegramAPIServer.from_base(cfg.api_base))
        try:
            self.bot = Bot(plain(cfg.token), session=session)
        except TokenValidationError:
            raise AdapterConfigError(
                f"{env_var(self.name, 'token')} is not a bot token (<digits>:<secret>)"
            ) from None
        self._secret = secret.encode()
        self._texts = deps.texts

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

    @logs_failures
    async def send(self, message: Outbound) -> SendResult:
        try:
            chat = payloads.chat_id(message.address)
        except ValueError as exc:
            raise SendError("permanent", str(exc)) from exc
        markup = _markup(message.meta.get("reply_markup"))
        try:
            sent = await self.bot.send_message(chat_id=chat, text=message.text, reply_markup=markup)
        except (TelegramAPIError, ClientDecodeError) as exc:
            raise errors.send_error(exc, self.bot.token) from exc
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
