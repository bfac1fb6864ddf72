"""The OA webhook signature: ``X-ZEvent-Signature`` = sha256(app_id + body + timestamp + key).

A plain SHA-256 (not an HMAC) in hex over the app id, the raw request body exactly as
received, the ``timestamp`` field read from that body, and the **OA secret key** (not the app
secret). Third-party handlers differ on whether the header value carries a ``mac=`` prefix,
so both forms are accepted. Reference vector (channels.md §2a, recomputed in the tests):
app id ``1234567890123456789``, key ``oa_secret_key_example`` ->
``88f7ca6c27b6f33bd7f0f215da90706fc52ad141ec5c20b3972379e4a737dcb2``.
"""

from __future__ import annotations

import hashlib
import hmac

from integrations.zalo.payloads import load_json, text_of

HEADER = "x-zevent-signature"


def timestamp_in(body: bytes) -> str:
    """The body's ``timestamp`` field as a string; "" when the body is not a JSON object."""
    data = load_json(body)
    return text_of(data.get("timestamp")) if data else ""


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The hex digest Zalo sends for ``body``."""
    # a forged body's "timestamp" may hold a lone surrogate ("\ud800" in its JSON): it must
    # make a wrong digest, not a crash (found by tests/web/test_fuzz_webhooks.py)
    stamp = timestamp.encode("utf-8", "surrogatepass")
    material = app_id.encode() + body + stamp + oa_secret_key.encode()
    return hashlib.sha256(material).hexdigest()


def matches(header_value: str, expected_hex: str) -> bool:
    """Constant-time comparison of a header value (``mac=<hex>`` or ``<hex>``)."""
    value = header_value.strip()
    if value[:4].lower() == "mac=":
        value = value[4:].strip()
    return hmac.compare_digest(value.lower().encode(), expected_hex.lower().encode())
