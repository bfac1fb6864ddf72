"""Zalo Official Account (OA API v3) adapter: webhook events in, CS messages out.

- built as ``ZaloOaAdapter(settings, deps)``: refuses to start without ``app_id``,
  ``app_secret``, ``oa_secret_key`` and one of the tokens (``AdapterConfigError``);
  ``deps.transport`` (an ``httpx.AsyncBaseTransport``) replaces HTTP, ``deps.clock`` the time.
- ``verify``: ``X-ZEvent-Signature`` (see :mod:`integrations.zalo.signature`); missing -> 401,
  wrong -> 403. It writes nothing.
- ``parse``: ``user_send_text`` / ``_location`` -> Inbound (text, pressed button, location);
  ``user_send_image`` / ``_audio`` / ``_sticker`` / ``_video`` / ``_file`` -> Inbound with
  ``media`` entries ``"<kind>:<url>"`` (see ``payloads.MEDIA_EVENTS``: the engine answers a
  voice note or a sticker instead of staying silent); ``user_submit_info`` -> Inbound with
  ``contact_phone``; ``follow`` -> ``event="start"``, ``unfollow`` -> ``event="stop"``;
  ``user_received_message`` / ``user_seen_message`` -> delivered / read; the OA's own echoes
  (``oa_send_*``) and unknown events -> nothing (200). Every resident event (any
  ``user_send_*``, ``user_submit_info``, ``follow``) is also reported as an ``Activity``, and
  :meth:`ZaloOaAdapter.record_activity` opens the reply window with it.
- ``reachable``: None while the window has a free reply left (or the OA has paid quota),
  else ``zalo_window_closed``.
- ``send``: ``POST {api_base}/v3.0/oa/message/cs`` with the ``access_token`` header; token
  refresh through :class:`~integrations.zalo.tokens.TokenKeeper`; errors mapped in
  :mod:`integrations.zalo.errors`.

Paid quota (``BANBOT_ZALO__PAID_QUOTA``): Zalo counts a message outside the window (or beyond
its free replies) as *proactive*, which needs a verified OA and paid quota. With the setting
on, such a message is sent instead of refused, through the same CS endpoint with
``recipient.user_id`` only — channels.md §2a: "If you send only ``user_id``, it is counted as
proactive". Our reference documents no other endpoint for proactive messages (the
transaction / promotion templates are not in it), so none is used; if Zalo still refuses
("has not interacted"), the error maps to ``zalo_window_closed`` as without the setting.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx

from bot.channels.base import (
    Activity,
    AdapterDefaults,
    BadPayload,
    DeliveryStatus,
    ParseResult,
    SendError,
    SendResult,
    Unauthorized,
    WebhookRequest,
)
from bot.config import Settings
from bot.domain.messages import Inbound, Outbound, Reply
from integrations.common import (
    logs_failures,
    mask,
    numbered_hint,
    plain,
    require,
    require_one,
    transport_of,
)
from integrations.registry import AdapterDeps
from integrations.zalo import errors, payloads, render, signature
from integrations.zalo.tokens import Grant, TokenKeeper
from integrations.zalo.window import CLOSED, ReplyWindow

log = logging.getLogger(__name__)
PREFIX = "zalo:"
OPENS_WINDOW = ("user_send_", "user_submit_info")  # and "follow" (so the welcome can go out)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MESSAGE_EVENTS = frozenset({"user_send_text", "user_send_location", *payloads.MEDIA_EVENTS})
STATUS_EVENTS: dict[str, Literal["delivered", "read"]] = {
    "user_received_message": "delivered",
    "user_seen_message": "read",
}


class ZaloOaAdapter(AdapterDefaults):
    """The ``zalo`` channel."""

    name = "zalo"
    rendering = "zalo"
    schemes: tuple[str, ...] = ("zalo",)

    def __init__(self, settings: Settings, deps: AdapterDeps) -> None:
        cfg = settings.zalo
        require(self.name, cfg, "app_id", "app_secret", "oa_secret_key")
        require_one(self.name, cfg, "access_token", "refresh_token")
        self._s = cfg
        self._texts = deps.texts
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(10.0),
            transport=transport_of(self.name, deps.transport, httpx.AsyncBaseTransport),
        )
        self.window = ReplyWindow(
            deps.state,
            deps.clock,
            window_seconds=cfg.window_hours * 3600,
            free_replies=cfg.free_replies,
        )
        self.tokens = TokenKeeper(
            deps.state,
            plain(cfg.access_token),
            plain(cfg.refresh_token),
            self._refresh,
            deps.clock,
            poll_seconds=deps.poll_seconds,
        )

    # -- inbound ------------------------------------------------------------------------------

    async def verify(self, request: WebhookRequest) -> None:
        """The signature only; it writes nothing (the reply window opens in record_activity)."""
        given = request.headers.get(signature.HEADER, "")
        if not given.strip():
            raise Unauthorized(401, "missing X-ZEvent-Signature")
        app_id, key = plain(self._s.app_id), plain(self._s.oa_secret_key)
        stamp = signature.timestamp_in(request.body)
        expected = signature.signature(app_id, request.body, stamp, key)
        if not signature.matches(given, expected):
            raise Unauthorized(403, "wrong X-ZEvent-Signature")

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
        return ParseResult(inbounds=[inbound] if inbound else [], activity=_activity(event))

    async def record_activity(self, activity: Sequence[Activity]) -> None:
        """Open (or move) each resident's reply window at the event's time."""
        for act in activity:
            user_id = act.address.removeprefix(PREFIX)
            await self.window.user_wrote(user_id, _ms(act.at), act.external_id)

    async def reachable(self, address: str) -> str | None:
        """None when a message the bot starts itself can go out now: inside the window with a
        free reply left (nothing is reserved), or always with paid quota; else ``CLOSED``.
        ``ValueError`` for an address that is not ``zalo:``."""
        if not address.startswith(PREFIX):
            raise ValueError(f"not a Zalo OA address: {address}")
        if self._s.paid_quota:
            return None
        return None if await self.window.closed(address.removeprefix(PREFIX)) is None else CLOSED

    async def reachable_many(self, addresses: Sequence[str]) -> dict[str, str]:
        """:meth:`reachable` for a whole audience at once (a notice to thousands)."""
        if self._s.paid_quota:
            return {}
        users = [a.removeprefix(PREFIX) for a in addresses if a.startswith(PREFIX)]
        shut = await self.window.closed_many(users)
        return {PREFIX + u: CLOSED for u in shut}

    def _inbound(self, event: payloads.OaEvent) -> Inbound | None:
        base: dict[str, Any] = {
            "adapter": self.name,
            "rendering": self.rendering,
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
            return None  # oa_send_* echoes, unknown events
        pressed = render.pressed_button(event.text)
        if pressed is not None:
            return Inbound(**base, text=pressed[0], button=pressed[1])
        kind = payloads.MEDIA_EVENTS.get(event.name)
        return Inbound(
            **base,
            text=event.text,
            location=payloads.location_of(event.message),
            media=payloads.media_of(event.message, kind) if kind else (),
        )

    # -- outbound -----------------------------------------------------------------------------

    def render(
        self,
        address: str,
        replies: Sequence[Reply],
        language: str,
        rendering: str | None = None,
    ) -> list[Outbound]:
        hint = numbered_hint(self._texts, language)
        return render.render_replies(self.name, address, replies, language, hint)

    @logs_failures
    async def send(self, message: Outbound) -> SendResult:
        """One CS message. Raises SendError; ``zalo_window_closed`` before calling Zalo (unless
        the OA has paid quota). A failed send gives its reply slot back, except an ``unknown``
        one (Zalo may have counted it)."""
        if not message.address.startswith(PREFIX):
            raise SendError("permanent", f"not a Zalo OA address: {message.address}")
        user_id = message.address.removeprefix(PREFIX)
        body = {"recipient": {"user_id": user_id}, "message": render.message_body(message)}
        since = await self._take_slot(user_id)
        try:
            return await self._send_with_token(body)
        except SendError as error:
            if error.kind != "unknown":
                await self.window.release(user_id, since)
            raise
        except BaseException:
            await self.window.release(user_id, since)
            raise

    async def _take_slot(self, user_id: str) -> int | None:
        """A free reply of the window; with paid quota a closed window is no obstacle."""
        try:
            return await self.window.reserve(user_id)
        except SendError as closed:
            if not self._s.paid_quota:
                raise
            # debug: a notice to 100,000 people outside their windows would log each of them
            log.debug("zalo %s: %s, sent as a proactive (paid) message", _mask(user_id), closed)
            return None

    async def _send_with_token(self, body: dict[str, Any]) -> SendResult:
        token, generation = await self.tokens.current()
        try:
            return await self._post_message(token, body)
        except SendError as error:
            if error.code != errors.TOKEN_REJECTED:
                raise
        token, _ = await self.tokens.refresh(generation)
        try:
            return await self._post_message(token, body)
        except SendError as error:
            if error.code != errors.TOKEN_REJECTED:
                raise
            detail = f"token rejected after refresh: {error.detail}"
            raise SendError("permanent", detail, code="zalo_auth") from None

    async def _post_message(self, token: str, body: dict[str, Any]) -> SendResult:
        url = f"{self._s.api_base}/v3.0/oa/message/cs"
        reply = await self._call("POST", url, json=body, headers={"access_token": token})
        errors.check(reply)
        data = reply.get("data")
        msg_id = payloads.text_of(data.get("message_id")) if isinstance(data, dict) else ""
        return SendResult(external_id=msg_id or None)

    async def _refresh(self, refresh_token: str) -> Grant:
        """Spend ``refresh_token`` at the OAuth endpoint (called only by TokenKeeper).

        The message waiting on it was not sent, so any failure here is the message's
        ``retryable`` at worst; an answer lost in transit may have spent the refresh token."""
        try:
            reply = await self._call(
                "POST",
                f"{self._s.oauth_base}/v4/oa/access_token",
                data={
                    "refresh_token": refresh_token,
                    "app_id": plain(self._s.app_id),
                    "grant_type": "refresh_token",
                },
                headers={"secret_key": plain(self._s.app_secret)},
            )
        except SendError as error:
            if error.kind != "unknown":
                raise
            log.error("Zalo token refresh got no answer (%s); it may be spent", error.detail)
            detail = f"token refresh: {error.detail}"
            raise SendError("retryable", detail, code=error.code) from None
        access, new_refresh = reply.get("access_token"), reply.get("refresh_token")
        if not isinstance(access, str) or not isinstance(new_refresh, str):
            code = errors.error_code(reply)
            log.error("Zalo refused the refresh token (error %s): re-authorise the OA", code)
            raise SendError("permanent", f"token refresh refused: {code}", code="zalo_auth")
        expires = payloads.text_of(reply.get("expires_in"))
        return Grant(access, new_refresh, float(expires) if expires.isdigit() else None)

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """One HTTP call: the answer's JSON object, else the mapped SendError."""
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise errors.send_error(exc) from None
        return errors.json_body(response)

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


def _activity(event: payloads.OaEvent) -> list[Activity]:
    """The resident did something that opens the reply window (even with nothing to answer)."""
    if not (event.name.startswith(OPENS_WINDOW) or event.name == "follow"):
        return []  # unfollow and anything else
    return [Activity(PREFIX + event.user_id, _when(event.timestamp_ms), _external_id(event))]


def _when(ms: int | None) -> datetime | None:
    return EPOCH + timedelta(milliseconds=ms) if ms is not None else None


def _ms(at: datetime | None) -> int | None:
    return (at - EPOCH) // timedelta(milliseconds=1) if at is not None else None


def _mask(user_id: str) -> str:
    return mask(PREFIX + user_id)
