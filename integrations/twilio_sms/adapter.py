"""Twilio SMS adapter: ``X-Twilio-Signature`` check, inbound SMS / status callbacks, REST send.

Twilio cannot do two-way SMS with Vietnamese (+84) numbers, so this adapter serves
deployments outside Vietnam and one-way notices; inside Vietnam use ``android_sms``.

- built as ``TwilioSmsAdapter(settings, deps)``: refuses to start without the account SID, the
  auth token and a sender (number or Messaging Service) (``AdapterConfigError``);
  ``deps.transport`` (an async twilio ``HttpClient``) replaces the aiohttp transport.
- ``verify``: ``RequestValidator(auth_token).validate(full_url, form, signature)`` over the URL
  Twilio called (``WebhookRequest.url``, rebuilt from X-Forwarded-* behind a proxy) and every
  form field, blank ones included. Missing header -> 401, wrong -> 403.
- ``parse``: inbound SMS -> ``Inbound(adapter="twilio_sms", address="tel:+...",
  external_id=MessageSid)``
  (MMS media URLs in ``media``; a single-word STOP / START keyword sets ``event``); status
  callbacks -> ``DeliveryStatus`` (21610 -> ``stopped``). The answer is an empty TwiML
  ``<Response />`` so Twilio sends nothing by itself; replies go through the REST API.
- ``send``: ``messages.create_async`` with a status callback to ``/webhooks/twilio_sms``;
  errors mapped in :mod:`integrations.twilio_sms.errors`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

from twilio.http import HttpClient  # type: ignore[import-untyped]
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
from integrations.common import logs_failures, mask, plain, require, require_one, transport_of
from integrations.registry import AdapterDeps
from integrations.sms_common import opt_event, tel_urn, urn_phone
from integrations.twilio_sms import errors
from integrations.twilio_sms.errors import STOPPED_CODES
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


class TwilioSmsAdapter(AdapterDefaults):
    """The ``twilio_sms`` channel."""

    name = "twilio_sms"
    rendering = "sms"
    schemes: tuple[str, ...] = ("tel",)

    def __init__(self, settings: Settings, deps: AdapterDeps) -> None:
        cfg = settings.twilio
        require(self.name, cfg, "account_sid", "auth_token")
        require_one(self.name, cfg, "from_number", "messaging_service_sid")
        self._settings = settings
        self._deps = deps
        self._validator = RequestValidator(plain(cfg.auth_token))
        self._http = ThrottleAwareHttpClient(transport_of(self.name, deps.transport, HttpClient))
        self._client = Client(plain(cfg.account_sid), plain(cfg.auth_token), http_client=self._http)
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

    @logs_failures
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
        except errors.FAILURES as exc:
            error = errors.send_error(exc)
            if error is exc:  # the 429 the transport already mapped
                raise
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


def _int(value: object) -> int | None:
    if not isinstance(value, int | str):
        return None
    try:
        return int(value)
    except ValueError:
        return None
