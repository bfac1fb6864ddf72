"""Phone numbers as ``tel:`` URNs in E.164, with Vietnamese habits understood.

Residents and providers write the same number many ways: ``0912345678`` (national),
``84912345678`` (Telegram's contact share, no plus), ``+84 91 234 5678``, ``(+84) 912.345.678``,
``0084912345678``, ``+840912345678`` (a national 0 kept after the country code). All are
``+84912345678``. Vietnamese subscriber numbers have 9 digits after +84 (mobiles and, since
2017, landlines with a 2xx area code have 10).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s().\-/]")
_VN_MOBILE_PREFIX = "35789"  # first digit of a 9-digit VN mobile subscriber number


def normalize_phone(raw: str) -> str | None:
    """``raw`` in E.164 (``+84912345678``), or None when it is not a plausible number."""
    s = _SEPARATORS.sub("", raw.strip())
    if s.startswith("00"):
        s = "+" + s[2:]
    plus = s.startswith("+")
    digits = s[1:] if plus else s
    if not digits.isdigit():
        return None
    if digits.startswith("84") and (plus or len(digits) in (11, 12)):
        return _vn(digits[2:].removeprefix("0"))
    if plus:
        return f"+{digits}" if 8 <= len(digits) <= 15 else None
    if digits.startswith("0"):
        return _vn(digits[1:])
    if len(digits) == 9 and digits[0] in _VN_MOBILE_PREFIX:
        return _vn(digits)
    return f"+{digits}" if 10 <= len(digits) <= 15 else None  # international without "+"


def _vn(subscriber: str) -> str | None:
    return f"+84{subscriber}" if len(subscriber) in (9, 10) and subscriber[0] != "0" else None


def phone_urn(raw: str) -> str | None:
    """The ``tel:`` URN of ``raw`` (``tel:+84912345678``), or None."""
    number = normalize_phone(raw)
    return None if number is None else f"tel:{number}"
