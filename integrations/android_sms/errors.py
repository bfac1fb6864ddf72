"""What the gateway client raises (or the gateway answers) for a send -> our vocabulary.

=====================================================  ==========  ===========================
failure                                                kind        code
=====================================================  ==========  ===========================
HTTP 429 (read by the httpx hook: headers kept)        throttled   ``429``, ``Retry-After``
HTTP 503 ``QueueLimitExceeded`` (server queue full)    throttled   ``QueueLimitExceeded``,
                                                                   ``Retry-After`` or 60 s
``APIError`` 401 / 403                                 permanent   check username / password
``APIError`` 504 (the server gave up on the phone)     unknown     ``504``
``APIError`` other 5xx, or no status                   retryable   the gateway's error
``APIError`` 400, 404, ...                             permanent   the gateway's error
connect error, DNS, connect / pool timeout (httpx)     retryable   ``network`` (never left)
read / write timeout, connection dropped (httpx)       unknown     ``network_unknown``
a 2xx answer that is not JSON (``JSONDecodeError``)    unknown     ``gateway_unreadable``
=====================================================  ==========  ===========================

A 409 (our message id is already queued) is not an error: the adapter reports it sent. That
deduplication is why the adapter's sends are idempotent: the sender may retry ``unknown``.
"""

from __future__ import annotations

import json

import httpx
from android_sms_gateway import errors as gateway  # type: ignore[import-untyped]

from bot.channels.base import SendError
from integrations.common import httpx_error, retry_after_seconds

QUEUE_FULL = "QueueLimitExceeded"
QUEUE_FULL_WAIT = 60.0  # seconds; the server gives no Retry-After when its queue is full
# What ``AsyncAPIClient.send`` raises for a failed send (``send_error`` maps each).
FAILURES = (SendError, gateway.APIError, httpx.HTTPError, json.JSONDecodeError)


def send_error(exc: BaseException) -> SendError:
    """A failed send in our vocabulary (``exc`` is one of :data:`FAILURES`)."""
    if isinstance(exc, SendError):  # already mapped by :func:`throttling`
        return exc
    if isinstance(exc, httpx.HTTPError):
        return httpx_error("android_sms", exc)
    if isinstance(exc, json.JSONDecodeError):
        detail = "answer is not JSON: may have been queued"
        return SendError("unknown", detail, code="gateway_unreadable")
    return _refused(exc)


def throttling(status: int, body: bytes, retry_after: str | None) -> SendError | None:
    """``throttled`` for a 429 or a 503 ``QueueLimitExceeded``; None for anything else."""
    wait = retry_after_seconds(retry_after)
    if status == 429:
        return SendError("throttled", "gateway 429", retry_after=wait, code="429")
    if status != 503:
        return None
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        error = None
    if error != QUEUE_FULL:
        return None  # any other 503 is a plain server error: retryable, via APIError
    wait = QUEUE_FULL_WAIT if wait is None else wait
    return SendError("throttled", "gateway queue full", retry_after=wait, code=QUEUE_FULL)


def _refused(exc: BaseException) -> SendError:
    """A client ``APIError`` (``status_code``, ``response`` body)."""
    status = int(getattr(exc, "status_code", 0) or 0)
    response = getattr(exc, "response", None)
    body = response if isinstance(response, dict) else {}
    code = str(body.get("error") or status)
    detail = f"gateway {status}: {body.get('message') or type(exc).__name__}"
    if status in (401, 403):
        return SendError("permanent", f"{detail} (check username / password)", code=code)
    if status == 504:
        return SendError("unknown", f"{detail} (may have been queued)", code=code)
    if status >= 500 or status == 0:
        return SendError("retryable", detail, code=code)
    return SendError("permanent", detail, code=code)
