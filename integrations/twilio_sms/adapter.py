"""Twilio SMS adapter: ``X-Twilio-Signature`` check, inbound SMS / status callbacks, REST send.

Twilio cannot do two-way SMS with Vietnamese (+84) numbers, so this adapter serves
deployments outside Vietnam and one-way notices; inside Vietnam use ``android_sms``.

- ``verify``: ``RequestValidator(auth_token).validate(full_url, form, signature)`` over the URL
  Twilio called (``WebhookRequest.url``, rebuilt from X-Forwarded-* behind a proxy) and every
  form field, blank ones included. Missing header -> 401, wrong -> 403.
- ``parse``: inbound SMS -> ``Inbound(adapter="twilio_sms", address="tel:+...",
  external_id=MessageSid)``
  (MMS media URLs in ``media``; a single-word STOP / START keyword sets ``event``); status
  callbacks -> ``DeliveryStatus`` (21610 -> ``stopped``). The answer is an empty TwiML
  ``<Response />`` so Twilio sends nothing by itself; replies go through the REST API.
- ``send``: ``messages.create_async`` with a status callback to ``/webhooks/twilio_sms``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import aiohttp
from twilio.base.exceptions import TwilioException  # type: ignore[import-untyped]
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]
from twilio.twiml.messaging_response import MessagingResponse  # type: ignore[import-untyped]

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
from bot.config import Settings
from bot.domain.messages import Inbound, Outbound, Reply
from integrations.registry import AdapterDeps
from integrations.sms_common import mask, opt_event, tel_urn, urn_phone
from integrations.twilio_sms.http import ThrottleAwareHttpClient
from integrations.twilio_sms.payloads import InboundSms, StatusCallback, classify, parse_form
from integrations.twilio_sms.render import MAX_BODY, render_replies

log = logging.getLogger(__name__)

SIGNATURE = "x-twilio-signature"
EMPTY_TWIML = str(MessagingResponse())  # <?xml ...?><Response />
MAX_INBOUND = 1600  # Twilio's body limit; longer text is cut, not refused

# MessageStatus -> our DeliveryStatus.status; others (partially_delivered, ...) are ignored.
STATUSES: dict[str, Literal["queued", "sent", "delivered", "failed", "read"]] = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}
STOPPED_CODES = frozenset({"21610"})  # attempt to send to an unsubscribed recipient
THROTTLED_CODES = frozenset({"20429", "14107"})  # too many requests, SMS rate limit
PERMANENT_CODES = frozenset({"21211", "21408", "21612", "21614", "21617"})


class TwilioSmsAdapter(AdapterDefaults):
    """The ``twilio_sms`` channel. ``http_client`` (tests: a fake ``twilio.http.HttpClient``)
    replaces the aiohttp transport; it must be async (``is_async=True``)."""

    name = "twilio_sms"
    rendering = "sms"
    schemes: tuple[str, ...] = ("tel",)

    def __init__(self, settings: Settings, deps: AdapterDeps, http_client: Any = None) -> None:
        cfg = settings.twilio
        if not cfg.account_sid or cfg.auth_token is None:
            raise ValueError("twilio_sms needs BANBOT_TWILIO__ACCOUNT_SID and __AUTH_TOKEN")
        if not cfg.from_number and not cfg.messaging_service_sid:
            raise ValueError(
                "twilio_sms needs BANBOT_TWILIO__FROM_NUMBER or __MESSAGING_SERVICE_SID"
            )
        self._settings = settings
        self._deps = deps
        self._validator = RequestValidator(cfg.auth_token.get_secret_value())
        self._http = ThrottleAwareHttpClient(http_client)
        self._client = Client(
            cfg.account_sid, cfg.auth_token.get_secret_value(), http_client=self._http
        )
        self._client.api.base_url = cfg.api_base.rstrip("/")
        base = (settings.public_url or "").rstrip("/")
        self._status_callback = f"{base}/webhooks/{self.name}" if base else None

    async def verify(self, request: WebhookRequest) -> None:
        signature = request.headers.get(SIGNATURE)
        if not signature:
            raise Unauthorized(401, "missing X-Twilio-Signature")
        try:
            params: Any = parse_form(request.body)
        except BadPayload:
            params = {}  # parse() answers 400; the signature then covers the URL alone
        if not self._validator.validate(request.url, params, signature):
            raise Unauthorized(403, "wrong X-Twilio-Signature")

    def parse(self, request: WebhookRequest) -> ParseResult:
        event = classify(parse_form(request.body))
        if isinstance(event, InboundSms):
            inbound = self._inbound(event)
            return ParseResult(
                inbounds=[inbound] if inbound else [],
                response_body=EMPTY_TWIML,
                response_type="text/xml",
            )
        statuses = [self._status(event)] if isinstance(event, StatusCallback) else []
        return ParseResult(
            statuses=[s for s in statuses if s], response_body=EMPTY_TWIML, response_type="text/xml"
        )

    def _inbound(self, sms: InboundSms) -> Inbound | None:
        address = tel_urn(sms.from_)
        if address is None:  # short code, alphanumeric sender, whatsapp:...: not ours
            log.info("twilio_sms ignored message %s from a non-phone sender", sms.message_sid)
            return None
        return Inbound(
            adapter=self.name,
            address=address,
            external_id=sms.message_sid,
            text=sms.body[:MAX_INBOUND],
            media=sms.media_urls,
            event=opt_event(sms.body),
        )

    def _status(self, cb: StatusCallback) -> DeliveryStatus | None:
        status = STATUSES.get(cb.status)
        if status is None:
            return None
        return DeliveryStatus(
            external_id=cb.message_sid,
            status=status,
            error_code=cb.error_code,
            stopped=cb.error_code in STOPPED_CODES,
        )

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
        try:
            to = urn_phone(message.address)
        except ValueError as exc:
            raise SendError("permanent", str(exc)) from exc
        if len(message.text) > MAX_BODY:
            raise SendError("permanent", f"body over {MAX_BODY} characters", code="21617")
        cfg = self._settings.twilio
        kwargs: dict[str, Any] = {"to": to, "body": message.text}
        if cfg.messaging_service_sid:
            kwargs["messaging_service_sid"] = cfg.messaging_service_sid
        else:
            kwargs["from_"] = cfg.from_number
        if self._status_callback:
            kwargs["status_callback"] = self._status_callback
        try:
            created = await self._client.messages.create_async(**kwargs)
        except SendError as exc:
            self._log_failure(message, exc)
            raise
        except TwilioException as exc:
            error = send_error(exc)
            self._log_failure(message, error)
            raise error from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = SendError("retryable", f"network: {type(exc).__name__}")
            self._log_failure(message, error)
            raise error from exc
        segments = _int(getattr(created, "num_segments", None)) or _int(
            message.meta.get("segments")
        )
        log.info(
            "twilio_sms sent %s to %s: %s segment(s), %s",
            created.sid,
            mask(message.address),
            segments,
            message.meta.get("encoding"),
        )
        return SendResult(external_id=created.sid, segments=segments)

    def _log_failure(self, message: Outbound, error: SendError) -> None:
        log.warning(
            "twilio_sms send to %s failed: %s (code %s, %s segment(s))",
            mask(message.address),
            error.kind,
            error.code,
            message.meta.get("segments"),
        )

    async def set_webhook(self, url: str) -> str:
        """Point the sender number's ``sms_url`` at ``url``; returns what was done.

        With a Messaging Service the inbound URL belongs to the service (possibly shared with
        other apps), so it is not changed here: the text says where to set it.
        """
        cfg = self._settings.twilio
        if not cfg.from_number:
            return (
                f"Set the Messaging Service {cfg.messaging_service_sid} inbound request URL "
                f"to {url} (Console > Messaging > Services > Integration)."
            )
        numbers = await self._client.incoming_phone_numbers.list_async(
            phone_number=cfg.from_number, limit=1
        )
        if not numbers:
            raise ValueError(f"{cfg.from_number} is not a number of this Twilio account")
        await numbers[0].update_async(sms_url=url, sms_method="POST")
        return f"sms_url of {cfg.from_number} set to {url}"

    async def aclose(self) -> None:
        await self._http.close()


def send_error(exc: Exception) -> SendError:
    """Twilio's error (``TwilioRestException``: ``.status``, ``.code``) in our vocabulary."""
    code = str(getattr(exc, "code", "") or "")
    status = _int(getattr(exc, "status", None)) or 0
    detail = f"Twilio {status} {code}: {getattr(exc, 'msg', '') or type(exc).__name__}"
    if code in STOPPED_CODES:
        return SendError("stopped", detail, code=code)
    if code in THROTTLED_CODES or status == 429:
        return SendError("throttled", detail, code=code)
    if status >= 500 or status == 0:
        return SendError("retryable", detail, code=code or None)
    return SendError("permanent", detail, code=code or None)


def _int(value: object) -> int | None:
    if not isinstance(value, int | str):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def build(settings: Settings, deps: AdapterDeps) -> TwilioSmsAdapter:
    """The registry's factory (``integrations.registry.CHANNELS["twilio_sms"]``)."""
    return TwilioSmsAdapter(settings, deps)


__all__ = ["TwilioSmsAdapter", "build", "send_error"]
