"""Zalo Official Account (OA API v3) adapter: webhook events in, CS messages out.

- ``verify``: ``X-ZEvent-Signature`` (see :mod:`integrations.zalo.signature`); missing -> 401,
  wrong -> 403. An authentic resident message also opens the reply window (see
  :mod:`integrations.zalo.window` for why this happens here).
- ``parse``: ``user_send_text`` / ``_image`` / ``_location`` -> Inbound (text, pressed
  button, location, image URLs); ``user_submit_info`` -> Inbound with ``contact_phone``;
  ``follow`` -> ``event="start"``, ``unfollow`` -> ``event="stop"``;
  ``user_received_message`` / ``user_seen_message`` -> delivered / read; the OA's own echoes
  (``oa_send_*``), stickers, voice, files and unknown events -> nothing (200; resident events
  still open the reply window).
- ``send``: ``POST {api_base}/v3.0/oa/message/cs`` with the ``access_token`` header; token
  refresh through :class:`~integrations.zalo.tokens.TokenKeeper`; errors mapped in
  :mod:`integrations.zalo.errors`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from bot.channels.base import (
    AdapterDefaults,
    BadPayload,
    DeliveryStatus,
    ParseResult,
    SendError,
    SendResult,
    Unauthorized,
    WebhookRequest,
)
from bot.config import Settings, ZaloSettings
from bot.domain.messages import Inbound, Outbound, Reply
from bot.ports import ChannelState
from bot.render import NUMBERED_HINT
from integrations.registry import AdapterDeps
from integrations.zalo import errors, payloads, render, signature
from integrations.zalo.tokens import Grant, TokenKeeper
from integrations.zalo.window import FREE_REPLIES, WINDOW_SECONDS, ReplyWindow

log = logging.getLogger(__name__)
PREFIX = "zalo:"
USER_EVENTS = ("user_send_", "user_submit_info")  # open the reply window
MESSAGE_EVENTS = frozenset({"user_send_text", "user_send_image", "user_send_location"})
STATUS_EVENTS: dict[str, Literal["delivered", "read"]] = {
    "user_received_message": "delivered",
    "user_seen_message": "read",
}


class ZaloOaAdapter(AdapterDefaults):
    """The ``zalo`` channel. ``clock`` and ``http`` are injectable for tests."""

    name = "zalo"
    rendering = "zalo"
    schemes: tuple[str, ...] = ("zalo",)

    def __init__(
        self,
        settings: ZaloSettings,
        state: ChannelState,
        texts: Callable[[str, str], str] | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
        window_seconds: int = WINDOW_SECONDS,
        free_replies: int | None = FREE_REPLIES,
        poll_seconds: float = 0.2,
    ) -> None:
        self._s = settings
        self._texts = texts
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        self.window = ReplyWindow(
            state, clock, window_seconds=window_seconds, free_replies=free_replies
        )
        self.tokens = TokenKeeper(
            state,
            _secret(settings.access_token),
            _secret(settings.refresh_token),
            self._refresh,
            clock,
            poll_seconds=poll_seconds,
        )

    # -- inbound ------------------------------------------------------------------------------

    async def verify(self, request: WebhookRequest) -> None:
        given = request.headers.get(signature.HEADER, "")
        if not given.strip():
            raise Unauthorized(401, "missing X-ZEvent-Signature")
        key = _secret(self._s.oa_secret_key)
        if not key or not self._s.app_id:
            raise Unauthorized(403, "Zalo app_id / oa_secret_key not configured")
        stamp = signature.timestamp_in(request.body)
        expected = signature.signature(self._s.app_id, request.body, stamp, key)
        if not signature.matches(given, expected):
            raise Unauthorized(403, "wrong X-ZEvent-Signature")
        await self._note_user_message(request.body)

    async def _note_user_message(self, body: bytes) -> None:
        data = payloads.load_json(body)
        if data is None:
            return
        event = payloads.event_of(data)
        if event.user_id and (event.name.startswith(USER_EVENTS) or event.name == "follow"):
            # A follow counts as an interaction so the welcome reply can go out [U].
            await self.window.user_wrote(event.user_id, event.timestamp_ms, _external_id(event))

    def parse(self, request: WebhookRequest) -> ParseResult:
        data = payloads.load_json(request.body)
        if data is None:
            raise BadPayload("body is not a JSON object")
        event = payloads.event_of(data)
        if event.name in STATUS_EVENTS:
            status = STATUS_EVENTS[event.name]
            ids = payloads.delivered_ids(event)
            return ParseResult(statuses=[DeliveryStatus(i, status) for i in ids])
        if not event.user_id:
            return ParseResult()  # OA echoes and anything not from a resident
        inbound = self._inbound(event)
        return ParseResult(inbounds=[inbound] if inbound else [])

    def _inbound(self, event: payloads.OaEvent) -> Inbound | None:
        base: dict[str, Any] = {
            "adapter": self.name,
            "address": PREFIX + event.user_id,
            "external_id": _external_id(event),
            "received_at": _when(event.timestamp_ms),
        }
        if event.name == "follow":
            return Inbound(**base, event="start")
        if event.name == "unfollow":
            return Inbound(**base, event="stop")
        if event.name == "user_submit_info":
            phone, name = payloads.submitted_info(event.raw)
            return Inbound(**base, contact_phone=phone, contact_name=name)
        if event.name not in MESSAGE_EVENTS:
            return None  # oa_send_* echoes, stickers, voice, files, unknown events
        pressed = render.pressed_button(event.text)
        if pressed is not None:
            return Inbound(**base, text=pressed[0], button=pressed[1])
        return Inbound(
            **base,
            text=event.text,
            location=payloads.location_of(event.message),
            media=() if event.name == "user_send_location" else payloads.media_of(event.message),
        )

    # -- outbound -----------------------------------------------------------------------------

    def render(
        self,
        address: str,
        replies: Sequence[Reply],
        language: str,
        rendering: str | None = None,
    ) -> list[Outbound]:
        return render.render_replies(self.name, address, replies, language, self._hint(language))

    def _hint(self, language: str) -> str:
        """The catalogue's "reply with a number" line, or the built-in one."""
        fallback = NUMBERED_HINT.get(language, NUMBERED_HINT["vi"])
        if self._texts is None:
            return fallback
        try:
            return self._texts("sms.numbered_hint", language) or fallback
        except KeyError:
            return fallback

    async def send(self, message: Outbound) -> SendResult:
        """One CS message. Raises SendError; ``zalo_window_closed`` before calling Zalo."""
        if not message.address.startswith(PREFIX):
            raise SendError("permanent", f"not a Zalo OA address: {message.address}")
        user_id = message.address.removeprefix(PREFIX)
        body = {"recipient": {"user_id": user_id}, "message": render.message_body(message)}
        since = await self.window.reserve(user_id)
        try:
            return await self._send_with_token(body)
        except BaseException:
            await self.window.release(user_id, since)
            raise

    async def _send_with_token(self, body: dict[str, Any]) -> SendResult:
        token, generation = await self.tokens.current()
        try:
            return await self._post_message(token, body)
        except errors.TokenRejected:
            token, _ = await self.tokens.refresh(generation)
        try:
            return await self._post_message(token, body)
        except errors.TokenRejected as exc:
            detail = f"token rejected after refresh: {exc}"
            raise SendError("permanent", detail, code="zalo_auth") from None

    async def _post_message(self, token: str, body: dict[str, Any]) -> SendResult:
        url = f"{self._s.api_base}/v3.0/oa/message/cs"
        reply = await self._call("POST", url, json=body, headers={"access_token": token})
        errors.check(reply)
        data = reply.get("data")
        msg_id = payloads.text_of(data.get("message_id")) if isinstance(data, dict) else ""
        return SendResult(external_id=msg_id or None)

    async def _refresh(self, refresh_token: str) -> Grant:
        """Spend ``refresh_token`` at the OAuth endpoint (called only by TokenKeeper)."""
        secret = _secret(self._s.app_secret)
        if not secret or not self._s.app_id:
            raise SendError("permanent", "Zalo app_id / app_secret not set", code="zalo_auth")
        reply = await self._call(
            "POST",
            f"{self._s.oauth_base}/v4/oa/access_token",
            data={
                "refresh_token": refresh_token,
                "app_id": self._s.app_id,
                "grant_type": "refresh_token",
            },
            headers={"secret_key": secret},
        )
        access, new_refresh = reply.get("access_token"), reply.get("refresh_token")
        if not isinstance(access, str) or not isinstance(new_refresh, str):
            code = errors.error_code(reply)
            log.error("Zalo refused the refresh token (error %s): re-authorise the OA", code)
            raise SendError("permanent", f"token refresh refused: {code}", code="zalo_auth")
        expires = payloads.text_of(reply.get("expires_in"))
        return Grant(access, new_refresh, float(expires) if expires.isdigit() else None)

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """One HTTP call; transport errors and non-200 statuses become SendError."""
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise SendError("retryable", f"network error: {type(exc).__name__}") from None
        if response.status_code == 429:
            retry = _retry_after(response)
            raise SendError("throttled", "HTTP 429", retry_after=retry, code="http_429")
        if response.status_code >= 500:
            raise SendError("retryable", f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise SendError("permanent", f"HTTP {response.status_code}", code="http_error")
        try:
            reply = response.json()
        except ValueError:
            raise SendError("retryable", "answer is not JSON") from None
        if not isinstance(reply, dict):
            raise SendError("retryable", "answer is not a JSON object")
        return reply

    async def set_webhook(self, url: str) -> None:
        """Zalo OA has no API for this: the operator sets it in the developer console."""
        raise NotImplementedError(
            "Zalo OA webhooks are set by hand: open https://developers.zalo.me -> your app -> "
            f"Webhook, set the URL to {url}, and tick the events user_send_text, "
            "user_send_image, user_send_location, user_submit_info, follow, unfollow, "
            "user_received_message and user_seen_message."
        )

    async def aclose(self) -> None:
        await self._http.aclose()


def _external_id(event: payloads.OaEvent) -> str:
    """``msg_id``; events without one: ``<event>:<timestamp>:<user>``."""
    return event.msg_id or f"{event.name}:{event.timestamp}:{event.user_id}"


def _when(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, tz=UTC) if ms is not None else None


def _secret(value: Any) -> str:
    return str(value.get_secret_value()) if value is not None else ""


def _retry_after(response: httpx.Response) -> float:
    header = response.headers.get("retry-after", "")
    return float(header) if header.isdigit() else errors.RATE_RETRY_AFTER


def build(settings: Settings, deps: AdapterDeps) -> ZaloOaAdapter:
    """Registry entry point."""
    zalo = settings.zalo
    return ZaloOaAdapter(
        zalo,
        deps.state,
        deps.texts,
        window_seconds=zalo.window_hours * 3600,
        free_replies=zalo.free_replies,
    )
