"""SMS Gateway for Android adapter: signed webhooks in, ``POST /messages`` out.

- ``verify``: ``X-Signature`` / ``X-Timestamp`` HMAC (see :mod:`.signature`); missing -> 401,
  wrong or stale -> 403.
- ``parse``: ``sms:received`` -> ``Inbound(adapter="android_sms", address="tel:+84...")`` with a
  content-based ``external_id`` (the app re-sends duplicates under new envelope ids); STOP /
  "TU CHOI" / "HUY DK" set ``event="stop"``; ``sms:sent|delivered|failed|cancelled`` ->
  ``DeliveryStatus``; ``system:ping`` and every other event -> 200, ignored.
- ``send``: the PyPI client ``android-sms-gateway`` (``AsyncAPIClient`` over our own httpx
  client): 202 -> accepted; 429 or 503 ``QueueLimitExceeded`` -> throttled; 400, 401/403
  (credentials), 404 -> permanent; other 5xx and network errors -> retryable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

import httpx
from android_sms_gateway import client as gateway  # type: ignore[import-untyped]
from android_sms_gateway import domain, errors
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
from integrations.android_sms import signature
from integrations.android_sms.http import throttle_hook
from integrations.android_sms.payloads import parse_envelope, sms_received, sms_report
from integrations.android_sms.render import render_replies
from integrations.registry import AdapterDeps
from integrations.sms_common import mask, opt_event, tel_urn, urn_phone
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
    """The ``android_sms`` channel. ``transport`` (tests) replaces httpx's network transport;
    ``clock`` gives the time the webhook timestamps are checked against."""

    name = "android_sms"
    rendering = "sms"
    schemes: tuple[str, ...] = ("tel",)
    idempotent_sends = True  # the gateway refuses a second message with our id (409)

    def __init__(
        self,
        settings: Settings,
        deps: AdapterDeps,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        cfg = settings.android_sms
        if cfg.signing_key is None or not cfg.username or cfg.password is None:
            raise ValueError(
                "android_sms needs BANBOT_ANDROID_SMS__USERNAME, __PASSWORD and __SIGNING_KEY"
            )
        self._settings = settings
        self._deps = deps
        self._key = cfg.signing_key.get_secret_value()
        self._clock = clock
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(20.0, connect=5.0),  # a phone on Wi-Fi can be slow to wake
            event_hooks={"response": [throttle_hook]},
        )
        self._api = gateway.AsyncAPIClient(
            cfg.username,
            cfg.password.get_secret_value(),
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
        except errors.APIError as exc:
            if exc.status_code == 409 and outbound_id:
                log.info("android_sms %s was already queued", outbound_id)
                return SendResult(str(outbound_id), _segments(message))
            error = send_error(exc)
            self._log_failure(message, error)
            raise error from exc
        except SendError as throttled:  # raised by the throttle hook
            self._log_failure(message, throttled)
            raise
        except httpx.TransportError as exc:
            network = SendError("retryable", f"network: {type(exc).__name__}")
            self._log_failure(message, network)
            raise network from exc
        log.info(
            "android_sms queued %s to %s: %s segment(s), %s",
            state.id,
            mask(message.address),
            _segments(message),
            message.meta.get("encoding"),
        )
        return SendResult(external_id=state.id, segments=_segments(message))

    def _log_failure(self, message: Outbound, error: SendError) -> None:
        log.warning(
            "android_sms send to %s failed: %s (code %s, %s segment(s))",
            mask(message.address),
            error.kind,
            error.code,
            message.meta.get("segments"),
        )

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


def send_error(exc: Any) -> SendError:
    """A client ``APIError`` (``status_code``, ``response`` body) in our vocabulary."""
    status = int(exc.status_code or 0)
    body = exc.response if isinstance(exc.response, dict) else {}
    code = str(body.get("error") or status)
    detail = f"gateway {status}: {body.get('message') or type(exc).__name__}"
    if status in (401, 403):
        return SendError("permanent", f"{detail} (check username / password)", code=code)
    if status >= 500 or status == 0:
        return SendError("retryable", detail, code=code)
    return SendError("permanent", detail, code=code)


def _segments(message: Outbound) -> int | None:
    value = message.meta.get("segments")
    return value if isinstance(value, int) else None


def build(settings: Settings, deps: AdapterDeps) -> AndroidSmsAdapter:
    """The registry's factory (``integrations.registry.CHANNELS["android_sms"]``)."""
    return AndroidSmsAdapter(settings, deps)
