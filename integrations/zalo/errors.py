"""Zalo OA API answers (and network failures) -> our send-error vocabulary, in one place.

Zalo answers most failures with **HTTP 200** and ``{"error": <negative>, "message": ...}``;
``error == 0`` is the only success. Zalo's official code table could not be read and the
third-party tables disagree (e.g. -201 is "invalid access token" in one and "invalid
parameter" / "user not followed" in others), so the message text is checked first and codes
only where several sources agree.

=====================================================  ==========  ==========================
failure                                                kind        code
=====================================================  ==========  ==========================
connect error, DNS, connect / pool timeout             retryable   ``network`` (never left)
read / write timeout, connection dropped               unknown     ``network_unknown``
HTTP 429                                               throttled   ``http_429`` (Retry-After,
                                                                   else the sender's backoff)
HTTP 504 (a gateway gave up waiting for Zalo)          unknown     ``http_504``
other HTTP 5xx                                         retryable   —
other non-200 HTTP status                              permanent   ``http_error``
HTTP 200 whose body is not a JSON object               unknown     ``zalo_unreadable``
token rejected (-216 "Access token is invalid", -124,  permanent   ``zalo_token_rejected``:
-220, or "access token" in the text)                               the adapter refreshes once
                                                                   and sends again
no recent interaction (-230 "has not interacted ...    permanent   ``zalo_window_closed`` —
in the past 7 days", -232, "interact")                             not ``stopped``: reachable
                                                                   again once they write
not following / blocked (-213, "follow", "block")      stopped     ``zalo_<error>``
quota (-211 "out of quota", "quota")                   throttled   ``zalo_<error>``, an hour
rate (-32, "rate limit", "too many")                   throttled   ``zalo_<error>``, no wait
                                                                   named: the sender's short,
                                                                   growing pause
anything else non-zero                                 permanent   ``zalo_<error>``
=====================================================  ==========  ==========================

Zalo has no idempotency key for CS messages, hence ``unknown`` rather than a retry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from bot.channels.base import SendError
from integrations.common import httpx_error, retry_after_seconds
from integrations.zalo.window import CLOSED

TOKEN_CODES = frozenset({-216, -124, -220})
THROTTLE_CODES = frozenset({-32, -211})
STOPPED_CODES = frozenset({-213})
WINDOW_CODES = frozenset({-230, -232})
QUOTA_RETRY_AFTER = 3600.0
TOKEN_REJECTED = "zalo_token_rejected"  # noqa: S105  an error code, not a secret
UNREADABLE = "zalo_unreadable"


def send_error(failure: httpx.HTTPError | httpx.Response | Mapping[str, Any]) -> SendError:
    """A network failure, a refused HTTP answer, or a Zalo error body, in our vocabulary."""
    if isinstance(failure, httpx.HTTPError):
        return httpx_error("zalo", failure)
    if isinstance(failure, httpx.Response):
        return _http_error(failure)
    return _body_error(failure)


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of an HTTP 200 answer; raises :func:`send_error` for anything else."""
    if response.status_code == 200:
        try:
            reply = response.json()
        except ValueError:
            reply = None
        if isinstance(reply, dict):
            return reply
    raise send_error(response)


def check(body: Mapping[str, Any]) -> None:
    """Return quietly when ``error`` is 0 (or absent beside ``data``), else raise."""
    code = error_code(body)
    if code == 0 or (code is None and isinstance(body.get("data"), dict)):
        return
    raise send_error(body)


def error_code(body: Any) -> int | None:
    """The ``error`` field as an int (None when absent or not a number)."""
    if not isinstance(body, Mapping):
        return None
    value = body.get("error")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _http_error(response: httpx.Response) -> SendError:
    status = response.status_code
    if status == 429:
        retry = retry_after_seconds(response.headers.get("retry-after"))
        return SendError("throttled", "HTTP 429", retry_after=retry, code="http_429")
    if status == 504:
        return SendError("unknown", "HTTP 504 from a gateway: may have been sent", code="http_504")
    if status >= 500:
        return SendError("retryable", f"HTTP {status}")
    if status != 200:
        return SendError("permanent", f"HTTP {status}", code="http_error")
    return SendError("unknown", "answer is not a JSON object: may have been sent", code=UNREADABLE)


def _body_error(body: Mapping[str, Any]) -> SendError:
    code = error_code(body)
    text = str(body.get("message") or body.get("error_description") or "")[:200]
    low = text.lower()
    detail = f"Zalo error {code}: {text}"
    if code in TOKEN_CODES or "access token" in low or "access_token" in low:
        return SendError("permanent", detail, code=TOKEN_REJECTED)
    if "interact" in low or code in WINDOW_CODES:
        return SendError("permanent", detail, code=CLOSED)
    if "follow" in low or "block" in low or code in STOPPED_CODES:
        return SendError("stopped", detail, code=f"zalo_{code}")
    if "quota" in low or code == -211:
        return SendError("throttled", detail, retry_after=QUOTA_RETRY_AFTER, code=f"zalo_{code}")
    if "rate limit" in low or "too many" in low or code in THROTTLE_CODES:
        return SendError("throttled", detail, code=f"zalo_{code}")
    return SendError("permanent", detail, code=f"zalo_{code}")
