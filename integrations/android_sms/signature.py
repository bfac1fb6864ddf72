"""The gateway's webhook signature (app ``PayloadSigningPlugin``, docs "Payload Signing").

``X-Signature = hex(HMAC-SHA256(key=signing_key, msg=raw_body + X-Timestamp))``, with
``X-Timestamp`` the Unix time in seconds of that delivery attempt (fresh on each retry).
Timestamps more than :data:`MAX_SKEW` seconds away are refused, as the docs advise, so a
captured request cannot be replayed later. Vectors (computed with ``openssl dgst``): key
``secret``, body ``{"a":1}``, timestamp ``1700000000`` ->
``5bfb71b792ec829c706a4d9bf7e6cb063d5abc4336963b9ecdb01288e5befb5b``.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.channels.base import Unauthorized

MAX_SKEW = 300  # seconds, either way (phone clocks drift; retries are re-stamped)


def sign(key: str, body: bytes, timestamp: str) -> str:
    """The hex signature the app sends for ``body`` at ``timestamp``."""
    return hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def check(key: str, body: bytes, signature: str | None, timestamp: str | None, now: float) -> None:
    """Raise :class:`Unauthorized`: 401 if a header is missing, 403 if stale or wrong."""
    if not signature or not timestamp:
        raise Unauthorized(401, "missing X-Signature or X-Timestamp")
    try:
        sent = int(timestamp)
    except ValueError as exc:
        raise Unauthorized(403, "X-Timestamp is not a number") from exc
    if abs(now - sent) > MAX_SKEW:
        raise Unauthorized(403, "stale X-Timestamp")
    given = signature.strip().lower().encode("utf-8", "replace")  # bytes: any header is safe
    if not hmac.compare_digest(sign(key, body, timestamp).encode(), given):
        raise Unauthorized(403, "wrong X-Signature")
