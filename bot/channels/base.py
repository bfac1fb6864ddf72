"""The values channel adapters exchange with the rest of the bot, and their errors.

The adapter contract itself is :class:`bot.ports.ChannelAdapter`; :class:`AdapterDefaults`
gives an adapter the parts most of them do not need. Provider types never leave the adapter.
Addresses are URNs: ``telegram:<chat id>``, ``zalo:<user id>``, ``zalobot:<chat id>``,
``tel:+84912345678``, ``sim:<user>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.domain.messages import Inbound

SendErrorKind = Literal["retryable", "throttled", "stopped", "permanent", "unknown"]


class AdapterConfigError(ValueError):
    """An enabled adapter's settings are missing or wrong: the bot refuses to start."""


@dataclass(frozen=True, slots=True)
class Activity:
    """A contact did something the provider counts (wrote, followed, sent a sticker), even if
    it carries no message for the bot: ``address``, the provider's time, its event id."""

    address: str
    at: datetime | None
    external_id: str


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
    activity: Sequence[Activity] = ()


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


class Unavailable(RuntimeError):
    """The bot cannot take this delivery now (its conversation state is down, or it is
    shutting down): the webhook answers 503 with ``Retry-After`` and nothing was written; a
    provider that redelivers (``ChannelAdapter.redelivers``) sends it again later."""


class BadPayload(Exception):
    """The body is not what this provider sends (invalid JSON, missing fields): answer 400."""


class SendError(Exception):
    """A failed send, in one vocabulary for every provider.

    - ``retryable``: network error, 5xx — retry with backoff;
    - ``throttled``: 429 / flood control — wait ``retry_after`` seconds, then retry;
    - ``stopped``: the contact blocked the bot / sent STOP / unfollowed — mark stopped, no retry;
    - ``permanent``: bad request, invalid number, too long — record, no retry;
    - ``unknown``: the request may have reached the provider (a timeout after sending): no
      blind retry, which could reach the person twice, unless the adapter's sends are
      idempotent.
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


class AdapterDefaults:
    """What most adapters do for the optional parts of :class:`bot.ports.ChannelAdapter`."""

    idempotent_sends = False
    redelivers = False

    async def record_activity(self, activity: Sequence[Activity]) -> None:
        """Nothing to remember of a contact writing."""

    async def reachable(self, address: str) -> str | None:
        """Any known address can be written to at any time."""
        return None

    async def reachable_many(self, addresses: Sequence[str]) -> dict[str, str]:
        """Nothing refused."""
        return {}

    async def aclose(self) -> None:
        """No connections to close."""
