"""SMS Gateway for Android adapter: signed webhooks in, ``POST /messages`` out.

- built as ``AndroidSmsAdapter(settings, deps)``: refuses to start without the API username,
  password and webhook signing key (``AdapterConfigError``); ``deps.transport`` (an
  ``httpx.AsyncBaseTransport``) replaces the network, ``deps.clock`` the time webhook
  timestamps are checked against.
- ``verify``: ``X-Signature`` / ``X-Timestamp`` HMAC (see :mod:`.signature`); missing -> 401,
  wrong or stale -> 403.
- ``parse``: ``sms:received`` -> ``Inbound(adapter="android_sms", address="tel:+84...")`` with a
  content-based ``external_id`` (the app re-sends duplicates under new envelope ids); STOP /
  "TU CHOI" / "HUY DK" set ``event="stop"``; ``sms:sent|delivered|failed|cancelled`` ->
  ``DeliveryStatus``; ``system:ping`` and every other event -> 200, ignored.
- ``send``: the PyPI client ``android-sms-gateway`` (``AsyncAPIClient`` over our own httpx
  client): 202 -> accepted, 409 on our own message id -> already queued (sent); errors mapped
  in :mod:`integrations.android_sms.errors`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import httpx
from android_sms_gateway import client as gateway  # type: ignore[import-untyped]
from android_sms_gateway import domain
from android_sms_gateway.ahttp import HttpxAsyncHttpClient  # type: ignore[import-untyped]
from android_sms_gateway.enums import WebhookEvent  # type: ignore[import-untyped]

from bot.channels.base import (
    AdapterDefaults,
    DeliveryStatus,
    ParseResult,
    SendError,
    SendResult,
    WebhookRequest,
)
from bot.config import Settings
from bot.domain.messages import Inbound, Outbound, Reply
from integrations.android_sms import errors, signature
from integrations.android_sms.http import throttle_hook
from integrations.android_sms.payloads import parse_envelope, sms_received, sms_report
from integrations.android_sms.render import render_replies
from integrations.common import logs_failures, mask, plain, require, transport_of
from integrations.registry import AdapterDeps
from integrations.sms_common import opt_event, tel_urn, urn_phone
from integrations.sms_common.keywords import VIETNAMESE_START, VIETNAMESE_STOP

log = logging.getLogger(__name__)

MAX_INBOUND = 1600  # a long concatenated SMS is kept whole up to here, then cut
REPORTS: dict[str, Literal["sent", "delivered", "failed"]] = {
    "sms:sent": "sent",
    "sms:delivered": "delivered",
    "sms:failed": "failed",
    "sms:cancelled": "failed",
}
# One webhook per event (the gateway's rule); fixed ids so re-running replaces, not duplicates.
WEBHOOKS = {
    "banbot-sms-received": WebhookEvent.SMS_RECEIVED,
    "banbot-sms-delivered": WebhookEvent.SMS_DELIVERED,
    "banbot-sms-failed": WebhookEvent.SMS_FAILED,
}


class AndroidSmsAdapter(AdapterDefaults):
    """The ``android_sms`` channel."""

    name = "android_sms"
    rendering = "sms"
    schemes: tuple[str, ...] = ("tel",)
    idempotent_sends = True  # the gateway refuses a second message with our id (409)

    def __init__(self, settings: Settings, deps: AdapterDeps) -> None:
        cfg = settings.android_sms
        require(self.name, cfg, "username", "password", "signing_key")
        self._settings = settings
        self._deps = deps
        self._key = plain(cfg.signing_key)
        self._clock = deps.clock
        self._http = httpx.AsyncClient(
            transport=transport_of(self.name, deps.transport, httpx.AsyncBaseTransport),
            timeout=httpx.Timeout(20.0, connect=5.0),  # a phone on Wi-Fi can be slow to wake
            event_hooks={"response": [throttle_hook]},
        )
        self._api = gateway.AsyncAPIClient(
            plain(cfg.username),
            plain(cfg.password),
            base_url=cfg.base_url.rstrip("/"),
            http_client=HttpxAsyncHttpClient(self._http),
        )

    async def verify(self, request: WebhookRequest) -> None:
        signature.check(
            self._key,
            request.body,
            request.headers.get("x-signature"),
            request.headers.get("x-timestamp"),
            self._clock(),
        )

    def parse(self, request: WebhookRequest) -> ParseResult:
        envelope = parse_envelope(request.body)
        if envelope.event == "sms:received":
            sms = sms_received(envelope.payload)
            address = tel_urn(sms.sender)
            if address is None:  # carrier short code or brand name (balance notices, ads)
                log.info("android_sms ignored an sms from a non-phone sender")
                return ParseResult()
            inbound = Inbound(
                adapter=self.name,
                address=address,
                external_id=sms.dedupe_key(envelope.id),
                text=sms.text[:MAX_INBOUND],
                event=opt_event(sms.text, VIETNAMESE_STOP, VIETNAMESE_START),
                received_at=sms.received_datetime(),
            )
            return ParseResult(inbounds=[inbound])
        status = REPORTS.get(envelope.event)
        if status is not None:
            report = sms_report(envelope.event, envelope.payload)
            error = report.reason or ("cancelled" if envelope.event == "sms:cancelled" else None)
            return ParseResult(
                statuses=[DeliveryStatus(report.message_id, status, error_code=error)]
            )
        return ParseResult()  # system:ping, mms:*, sms:data-received, future events

    def render(
        self,
        address: str,
        replies: Sequence[Reply],
        language: str,
        rendering: str | None = None,
    ) -> list[Outbound]:
        return render_replies(
            self.name, address, replies, language, self._settings, self._deps.texts
        )

    @logs_failures
    async def send(self, message: Outbound) -> SendResult:
        """Send one SMS. ``meta["outbound_id"]`` (if given) becomes the gateway message id, so
        a retried send is recognised (409 = already queued) and reports come back under it."""
        try:
            to = urn_phone(message.address)
        except ValueError as exc:
            raise SendError("permanent", str(exc)) from exc
        outbound_id = message.meta.get("outbound_id")
        sms = domain.Message(
            phone_numbers=[to],
            text_message=domain.TextMessage(text=message.text),
            with_delivery_report=True,
            id=str(outbound_id) if outbound_id else None,
        )
        try:
            state = await self._api.send(sms)
        except errors.FAILURES as exc:
            if getattr(exc, "status_code", None) == 409 and outbound_id:
                log.info("android_sms %s was already queued", outbound_id)
                return SendResult(str(outbound_id), _segments(message))
            error = errors.send_error(exc)
            if error is exc:  # the throttling the httpx hook already mapped
                raise
            raise error from exc
        log.info(
            "android_sms queued %s to %s: %s segment(s), %s",
            state.id,
            mask(message.address),
            _segments(message),
            message.meta.get("encoding"),
        )
        return SendResult(external_id=state.id, segments=_segments(message))

    async def set_webhook(self, url: str) -> str:
        """Register ``sms:received``, ``sms:delivered`` and ``sms:failed`` to ``url``.

        The phone posts webhooks itself and accepts only ``https://`` (or
        ``http://127.0.0.1`` through ``adb reverse``).
        """
        if not (url.startswith("https://") or url.startswith("http://127.0.0.1")):
            raise ValueError("the gateway app only calls https:// webhooks (or http://127.0.0.1)")
        for webhook_id, event in WEBHOOKS.items():
            await self._api.create_webhook(domain.Webhook(id=webhook_id, url=url, event=event))
        return f"{len(WEBHOOKS)} gateway webhooks ({', '.join(WEBHOOKS)}) point to {url}"

    async def aclose(self) -> None:
        await self._http.aclose()


def _segments(message: Outbound) -> int | None:
    value = message.meta.get("segments")
    return value if isinstance(value, int) else None
