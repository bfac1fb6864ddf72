"""Zalo OA API answers -> our send-error vocabulary.

Zalo answers most failures with **HTTP 200** and ``{"error": <negative>, "message": ...}``;
``error == 0`` is the only success. Zalo's official code table could not be read and the
third-party tables disagree (e.g. -201 is "invalid access token" in one and "invalid
parameter" / "user not followed" in others), so the message text is checked first and codes
only where several sources agree:

- token rejected (-216 "Access token is invalid", -124, -220, or "access token" in the text):
  :class:`TokenRejected`, the adapter refreshes once and retries;
- rate / quota (-32, -211 "out of quota", or "quota" / "rate limit" in the text): ``throttled``
  (an hour for quota, a minute for rate);
- the resident does not follow the OA / blocked it (-213, "follow" / "block" in the text):
  ``stopped`` — the same fact as an ``unfollow`` event; a new message or follow reopens;
- no recent interaction (-230 "has not interacted ... in the past 7 days", -232, "interact"):
  ``permanent`` with code ``zalo_window_closed`` — not ``stopped``: the resident is reachable
  again the moment they write, and marking them stopped would hide that;
- anything else non-zero: ``permanent`` with code ``zalo_<error>``.
"""

from __future__ import annotations

from typing import Any

from bot.channels.base import SendError
from integrations.zalo.window import CLOSED

TOKEN_CODES = frozenset({-216, -124, -220})
THROTTLE_CODES = frozenset({-32, -211})
STOPPED_CODES = frozenset({-213})
WINDOW_CODES = frozenset({-230, -232})
RATE_RETRY_AFTER = 60.0
QUOTA_RETRY_AFTER = 3600.0


class TokenRejected(Exception):
    """Zalo refused the access token: refresh it and try once more."""


def error_code(body: Any) -> int | None:
    """The ``error`` field as an int (None when absent or not a number)."""
    if not isinstance(body, dict):
        return None
    value = body.get("error")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def check(body: dict[str, Any]) -> None:
    """Raise for a Zalo error body; return quietly when ``error`` is 0."""
    code = error_code(body)
    if code == 0 or (code is None and isinstance(body.get("data"), dict)):
        return
    text = str(body.get("message") or body.get("error_description") or "")[:200]
    low = text.lower()
    detail = f"Zalo error {code}: {text}"
    if code in TOKEN_CODES or "access token" in low or "access_token" in low:
        raise TokenRejected(detail)
    if "interact" in low or code in WINDOW_CODES:
        raise SendError("permanent", detail, code=CLOSED)
    if "follow" in low or "block" in low or code in STOPPED_CODES:
        raise SendError("stopped", detail, code=f"zalo_{code}")
    if "quota" in low or code == -211:
        raise SendError("throttled", detail, retry_after=QUOTA_RETRY_AFTER, code=f"zalo_{code}")
    if "rate limit" in low or "too many" in low or code in THROTTLE_CODES:
        raise SendError("throttled", detail, retry_after=RATE_RETRY_AFTER, code=f"zalo_{code}")
    raise SendError("permanent", detail, code=f"zalo_{code}")
