"""What the adapters share: settings checks, the numbered-choice hint, masked failure logs,
``Retry-After`` values, and the network half of the send-error vocabulary.

Network failures are classified once for the two HTTP stacks under the adapters (httpx: Zalo
OA, Zalo Bot, Android; aiohttp: Telegram through aiogram, Twilio). The line that matters is
whether the request may have reached the provider:

- it never left (DNS, connection refused, connect or pool timeout, proxy): ``retryable``;
- it may have arrived (read or write timeout, connection dropped before or during the answer,
  an answer we cannot read): ``unknown`` — a blind retry could reach the person twice, so the
  sender retries only an adapter whose sends are idempotent;
- our own settings make it impossible (a URL with an unsupported scheme): ``permanent``.

Each adapter's ``errors.py`` maps its provider's answers and calls these for the network.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar, cast

import aiohttp
import httpx
from pydantic import BaseModel, SecretStr

from bot.channels.base import AdapterConfigError, SendError, SendResult
from bot.domain.messages import Outbound
from bot.render import NUMBERED_HINT
from integrations.registry import env_var

T = TypeVar("T")
SendMethod = TypeVar("SendMethod", bound=Callable[..., Coroutine[Any, Any, SendResult]])
log = logging.getLogger(__name__)
NEVER_SENT_HTTPX = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
# ClientConnectorError covers DNS, refused, TLS handshake and proxy connection failures.
NEVER_SENT_AIOHTTP = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
NOT_SENT = "network"  # code of a request that never left
MAYBE_SENT = "network_unknown"  # code of one that may have reached the provider


# -- settings -------------------------------------------------------------------------------


def plain(value: SecretStr | str | None) -> str:
    """A setting's text, stripped ("" when unset); secrets revealed, so never log it."""
    if value is None:
        return ""
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return text.strip()


def require(adapter: str, section: BaseModel, *fields: str) -> None:
    """Refuse to build ``adapter`` while any of ``fields`` of its settings is unset or blank.

    The error names every missing variable at once: "zalo_bot is enabled but
    BANBOT_ZALO_BOT__TOKEN is not set".
    """
    missing = [env_var(adapter, f) for f in fields if not plain(getattr(section, f))]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise AdapterConfigError(f"{adapter} is enabled but {', '.join(missing)} {verb} not set")


def require_one(adapter: str, section: BaseModel, *fields: str) -> None:
    """Refuse to build ``adapter`` unless at least one of ``fields`` is set."""
    if not any(plain(getattr(section, f)) for f in fields):
        names = " nor ".join(env_var(adapter, f) for f in fields)
        raise AdapterConfigError(f"{adapter} is enabled but neither {names} is set")


def require_secret_length(adapter: str, section: BaseModel, field: str, low: int, high: int) -> str:
    """The secret ``field`` when it has ``low``-``high`` characters, else AdapterConfigError."""
    require(adapter, section, field)
    value = plain(getattr(section, field))
    if not low <= len(value) <= high:
        raise AdapterConfigError(f"{env_var(adapter, field)} must be {low}-{high} characters")
    return value


def transport_of(adapter: str, transport: object | None, kind: type[T]) -> T | None:
    """``AdapterDeps.transport`` as the type ``adapter`` takes (None: the real network)."""
    if transport is None or isinstance(transport, kind):
        return transport
    raise TypeError(f"{adapter}: transport must be {kind.__name__}, not {type(transport).__name__}")


# -- rendering and logs ---------------------------------------------------------------------


def numbered_hint(texts: Callable[[str, str], str], language: str) -> str:
    """The catalogue's "reply with a number" line (``sms.numbered_hint``), else the built-in."""
    fallback = NUMBERED_HINT.get(language, NUMBERED_HINT["vi"])
    try:
        return texts("sms.numbered_hint", language) or fallback
    except KeyError:
        return fallback


def mask(address: str) -> str:
    """An address for logs: ``tel:+84912345678`` -> ``tel:+8491****678`` (enough to tell apart)."""
    head, _, number = address.rpartition(":")
    prefix = f"{head}:" if head else ""
    if len(number) <= 7:
        return prefix + "*" * len(number)
    return f"{prefix}{number[:5]}{'*' * (len(number) - 8)}{number[-3:]}"


def logs_failures(send: SendMethod) -> SendMethod:
    """Decorates an adapter's ``send(self, message)``: every ``SendError`` is logged once
    (:func:`log_send_failure`), then raised."""

    @functools.wraps(send)
    async def logged(adapter: object, message: Outbound) -> SendResult:
        try:
            return await send(adapter, message)
        except SendError as error:
            log_send_failure(message, error)
            raise

    return cast(SendMethod, logged)


def log_send_failure(message: Outbound, error: SendError) -> None:
    """One warning per failed send: adapter, masked address, kind, code (never the text)."""
    log.warning(
        "%s send to %s failed: %s (code %s, %s segment(s))",
        message.adapter,
        mask(message.address),
        error.kind,
        error.code,
        message.meta.get("segments"),
    )


# -- network and throttling -----------------------------------------------------------------


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header (RFC 9110 §10.2.3: delay-seconds or an HTTP date) as seconds
    (never negative), or ``None`` when it is absent or unreadable."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def httpx_error(provider: str, exc: httpx.HTTPError) -> SendError:
    """An httpx failure in our vocabulary (see the module docstring)."""
    name = type(exc).__name__
    if isinstance(exc, NEVER_SENT_HTTPX):
        return SendError("retryable", f"{provider}: {name}, not sent", code=NOT_SENT)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return SendError("permanent", f"{provider}: {name}, check the API URL setting")
    return SendError("unknown", f"{provider}: {name}, may have been sent", code=MAYBE_SENT)


def aiohttp_error(provider: str, exc: BaseException | None) -> SendError:
    """An aiohttp failure (a ``ClientError``, a timeout, a bare ``OSError``) in our vocabulary.

    ``None`` (a failure whose cause was lost) is ``unknown``: nothing says it never left.
    """
    name = type(exc).__name__ if exc is not None else "network error"
    if isinstance(exc, NEVER_SENT_AIOHTTP):
        return SendError("retryable", f"{provider}: {name}, not sent", code=NOT_SENT)
    if isinstance(exc, aiohttp.InvalidURL):
        return SendError("permanent", f"{provider}: {name}, check the API URL setting")
    return SendError("unknown", f"{provider}: {name}, may have been sent", code=MAYBE_SENT)
