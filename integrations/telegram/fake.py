"""An offline Bot API for tests and benchmarks: an aiogram ``BaseSession`` that records calls.

Like aiogram's own ``tests/mocked_bot.py::MockedSession``: every call is serialised the way
``AiohttpSession`` serialises it (so an unsendable request fails here too) and recorded in
:attr:`FakeSession.calls`; the answer is a scripted ``(status, JSON)`` pair run through
aiogram's real ``check_response``, so 429 / 403 / 400 / 5xx become the same exceptions as in
production. Without a script, calls succeed with a plausible result (``sendMessage`` returns a
``Message`` with a growing ``message_id``). Nothing here opens a socket.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict, deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot

    from integrations.telegram.adapter import TelegramAdapter

FAKE_API = TelegramAPIServer.from_base("http://telegram.invalid")
BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Bản Bot", "username": "banbot_test"}


@dataclass(frozen=True, slots=True)
class Call:
    """One recorded Bot API call: method name and its parameters as JSON values."""

    method: str
    params: dict[str, Any]


class FakeSession(BaseSession):
    """Scripted, recording Bot API session. ``assert_all_used()`` fails on leftover scripts."""

    def __init__(self) -> None:
        super().__init__(api=FAKE_API)
        self.calls: list[Call] = []
        self._script: dict[str, deque[tuple[int, dict[str, Any]] | Exception]] = defaultdict(deque)
        self._ids = itertools.count(1000)

    def add(self, method: str, status: int = 200, body: dict[str, Any] | None = None) -> None:
        """Answer the next ``method`` call with HTTP ``status`` and ``body`` (default: ok)."""
        self._script[method].append((status, body if body is not None else {}))

    def add_error(self, method: str, status: int, description: str, **params: Any) -> None:
        """Answer the next ``method`` call with a Bot API error (``params``: retry_after, ...)."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if params:
            body["parameters"] = params
        self.add(method, status, body)

    def add_exception(self, method: str, exc: Exception) -> None:
        """Raise ``exc`` on the next ``method`` call (a network failure)."""
        self._script[method].append(exc)

    def assert_all_used(self) -> None:
        left = {m: len(q) for m, q in self._script.items() if q}
        if left:
            raise AssertionError(f"scripted Telegram answers never used: {left}")

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Parameters of every recorded ``method`` call."""
        return [c.params for c in self.calls if c.method == method]

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109  aiogram's signature
    ) -> TelegramType:
        name = method.__api_method__
        self.calls.append(Call(name, self._params(bot, method)))
        queue = self._script.get(name)
        answer = queue.popleft() if queue else (200, {})
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        if not body:
            body = {"ok": True, "result": self._default_result(name, self.calls[-1].params)}
        return self.check_response(bot, method, status, json.dumps(body)).result  # type: ignore[return-value]

    def _params(self, bot: Bot, method: TelegramMethod[TelegramType]) -> dict[str, Any]:
        """As ``AiohttpSession.build_form_data`` sends them, JSON-encoded fields decoded back."""
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files={})
            if not prepared:
                continue
            # Strings go as they are; everything else was JSON-encoded (ints, bools, markup).
            params[key] = prepared if isinstance(value, str) else json.loads(prepared)
        return params

    def _default_result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            return {
                "message_id": next(self._ids),
                "date": 1767225600,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
        if method == "getUpdates":
            return []
        if method == "getMe":
            return BOT_USER
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109  aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""


FAKE_SECRET = "test-secret_42"  # noqa: S105  offline fake, never a real secret
FAKE_TOKEN = "42:TEST-token"  # noqa: S105  offline fake, never a real token

# Catalogue labels the Telegram keyboards use (the lead's dialogs/locales hold the real ones).
FAKE_TEXTS = {
    ("telegram.share_location", "vi"): "📍 Gửi vị trí",
    ("telegram.share_location", "en"): "📍 Send location",
    ("telegram.share_contact", "vi"): "📱 Gửi số điện thoại",
    ("telegram.share_contact", "en"): "📱 Share phone number",
}


def fake_texts(key: str, language: str) -> str:
    """Catalogue stand-in: :data:`FAKE_TEXTS` (``KeyError`` for other keys, like the real one)."""
    return FAKE_TEXTS[(key, language)]


def fake_adapter(
    secret: str = FAKE_SECRET, token: str = FAKE_TOKEN, session: FakeSession | None = None
) -> tuple[TelegramAdapter, FakeSession]:
    """A Telegram adapter built from settings whose HTTP is ``session`` (a new one)."""
    from bot.channels.state import MemoryChannelState
    from bot.config import Settings
    from integrations.registry import AdapterDeps
    from integrations.telegram.adapter import TelegramAdapter

    settings = Settings(
        env="test",
        telegram={"enabled": True, "token": token, "webhook_secret": secret},
    )
    session = session or FakeSession()
    deps = AdapterDeps(MemoryChannelState(), fake_texts, transport=session)
    return TelegramAdapter(settings, deps), session
