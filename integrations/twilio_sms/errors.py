"""What the Twilio SDK raises (or answers) for a send -> our send-error vocabulary.

======================================================  ==========  ===========================
failure                                                 kind        code
======================================================  ==========  ===========================
HTTP 429 (read before the SDK drops the headers)        throttled   Twilio's (20429), with
                                                                    ``Retry-After``
error 21610 (the recipient sent STOP)                   stopped     ``21610``
error 20429 / 14107 (too many requests, SMS rate)       throttled   the error code
HTTP 504 (a gateway gave up waiting for Twilio)         unknown     the error code
other HTTP 5xx, or no status                            retryable   the error code
any other ``TwilioException`` (21211 bad number, ...)   permanent   the error code
connect error, DNS, connect timeout (aiohttp)           retryable   ``network`` (never left)
timeout, connection reset or dropped, other aiohttp     unknown     ``network_unknown``
a 2xx answer that is not JSON (``JSONDecodeError``)     unknown     ``twilio_unreadable``
======================================================  ==========  ===========================

Twilio's Messages API has no idempotency key, hence ``unknown`` rather than a retry.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioException  # type: ignore[import-untyped]

from bot.channels.base import SendError
from integrations.common import aiohttp_error, retry_after_seconds

STOPPED_CODES = frozenset({"21610"})  # attempt to send to an unsubscribed recipient
THROTTLED_CODES = frozenset({"20429", "14107"})  # too many requests, SMS rate limit
UNREADABLE = "twilio_unreadable"
# What ``messages.create_async`` raises for a failed send (``send_error`` maps each).
FAILURES = (
    SendError,
    TwilioException,
    aiohttp.ClientError,
    TimeoutError,
    OSError,
    json.JSONDecodeError,
)


def send_error(exc: BaseException) -> SendError:
    """A failed ``messages.create`` in our vocabulary."""
    if isinstance(exc, SendError):  # already mapped (by :func:`throttling`)
        return exc
    if isinstance(exc, TwilioException):
        return _refused(exc)
    if isinstance(exc, json.JSONDecodeError):  # a 2xx answer: Twilio took the request
        return SendError("unknown", "answer is not JSON: may have been sent", code=UNREADABLE)
    return aiohttp_error("twilio_sms", exc)


def throttling(status: int, text: str, headers: dict[str, Any] | None) -> SendError | None:
    """``throttled`` for an HTTP 429 (with ``Retry-After``), else None."""
    if status != 429:
        return None
    code = _error_code(text) or "429"
    retry_after = retry_after_seconds((headers or {}).get("Retry-After"))
    detail = f"Twilio {code}: too many requests"
    return SendError("throttled", detail, retry_after=retry_after, code=code)


def _refused(exc: TwilioException) -> SendError:
    """Twilio's error (``TwilioRestException``: ``.status``, ``.code``)."""
    code = str(getattr(exc, "code", "") or "")
    status = getattr(exc, "status", None)
    status = status if isinstance(status, int) else 0
    detail = f"Twilio {status} {code}: {getattr(exc, 'msg', '') or type(exc).__name__}"
    if code in STOPPED_CODES:
        return SendError("stopped", detail, code=code)
    if code in THROTTLED_CODES or status == 429:
        return SendError("throttled", detail, code=code)
    if status == 504:
        return SendError("unknown", f"{detail} (may have been sent)", code=code or None)
    if status >= 500 or status == 0:
        return SendError("retryable", detail, code=code or None)
    return SendError("permanent", detail, code=code or None)


def _error_code(text: str) -> str | None:
    try:
        code = json.loads(text).get("code")
    except (ValueError, AttributeError):
        return None
    return str(code) if code is not None else None
