"""The contract every channel adapter in ``integrations/<name>/`` fulfils.

An adapter is three small, testable steps and one send:

1. ``verify(request)`` — authenticity first (secret-token header, HMAC / SHA-256 signature),
   in constant time; raises :class:`Unauthorized` (the route answers 401 or 403, nothing runs);
2. ``parse(request)`` — provider payload -> :class:`ParseResult` of channel-neutral ``Inbound``
   messages and delivery-status updates; raises :class:`BadPayload` for invalid JSON / form
   (400); an event type it does not know is *not* an error: an empty result (200, ignored);
3. ``render(replies, language)`` — the engine's replies -> ``Outbound`` for this channel;
4. ``send(outbound)`` — one provider API call; returns :class:`SendResult` or raises
   :class:`SendError` with one of four kinds.

Provider types never leave the adapter. Addresses are URNs: ``telegram:<chat id>``,
``zalo:<user id>``, ``zalobot:<chat id>``, ``tel:+84912345678``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot.domain.messages import Inbound, Outbound, Reply

SendErrorKind = Literal["retryable", "throttled", "stopped", "permanent"]


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """One HTTP request as the provider sent it (raw body kept for signatures).

    ``url`` is the full URL the provider called, rebuilt from ``X-Forwarded-Proto`` /
    ``X-Forwarded-Host`` when behind a proxy (Twilio signs the exact URL).
    ``headers`` has lower-case names.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """A provider's report on a message we sent (Twilio status callback, gateway sms:delivered)."""

    external_id: str
    status: Literal["queued", "sent", "delivered", "failed", "read"]
    error_code: str | None = None
    stopped: bool = False  # the provider says the recipient opted out (Twilio 21610)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What one webhook request carried. ``response`` is the body to answer with (200)."""

    inbounds: Sequence[Inbound] = ()
    statuses: Sequence[DeliveryStatus] = ()
    response_body: str = ""
    response_type: str = "text/plain"


@dataclass(frozen=True, slots=True)
class SendResult:
    """A message the provider accepted; ``external_id`` for status callbacks."""

    external_id: str | None = None
    segments: int | None = None


class Unauthorized(Exception):
    """Missing or wrong signature / secret. ``status`` is 401 (missing) or 403 (wrong)."""

    def __init__(self, status: Literal[401, 403], reason: str) -> None:
        super().__init__(reason)
        self.status = status


class BadPayload(Exception):
    """The body is not what this provider sends (invalid JSON, missing fields): answer 400."""


class SendError(Exception):
    """A failed send, in one vocabulary for every provider.

    - ``retryable``: network error, 5xx — retry with backoff;
    - ``throttled``: 429 / flood control — wait ``retry_after`` seconds, then retry;
    - ``stopped``: the contact blocked the bot / sent STOP / unfollowed — mark stopped, no retry;
    - ``permanent``: bad request, invalid number, too long — record, no retry.
    """

    def __init__(
        self,
        kind: SendErrorKind,
        detail: str,
        *,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind: SendErrorKind = kind
        self.detail = detail
        self.retry_after = retry_after
        self.code = code


class ChannelAdapter(Protocol):
    """One outside messaging system. ``name`` is the registry key and URL segment."""

    name: str  # "telegram", "zalo", "zalo_bot", "twilio_sms", "android_sms"
    render_channel: str  # how replies look: "telegram" | "zalo" | "sms"

    async def verify(self, request: WebhookRequest) -> None: ...

    def parse(self, request: WebhookRequest) -> ParseResult: ...

    def render(self, address: str, replies: Sequence[Reply], language: str) -> list[Outbound]: ...

    async def send(self, message: Outbound) -> SendResult: ...

    async def aclose(self) -> None: ...
