"""Phone numbers as ``tel:`` URNs in E.164, with Google's libphonenumber (``phonenumbers``).

Residents and providers write the same number many ways: ``0912345678`` (national),
``84912345678`` / ``14155550100`` (Telegram's contact share: country code, no plus),
``+84 91 234 5678``, ``(+84) 912.345.678``, ``0084912345678``, ``+840912345678`` (a national 0
kept after the country code). All Vietnamese forms become ``+84912345678``. Senders that cannot
be a phone number (carrier short codes such as ``191``, brand names such as ``Viettel``) give
``None``.
"""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "VN"
_SEPARATORS = re.compile(r"[\s().\-/]")


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """``raw`` in E.164 (``+84912345678``), or None when it is not a plausible number."""
    s = _SEPARATORS.sub("", raw.strip())
    if s.startswith("00"):
        s = "+" + s[2:]
    if s.startswith("+840"):
        s = "+84" + s[4:]
    candidates = [s]
    if s.isdigit() and not s.startswith("0"):
        # Country code without "+" (Telegram); tried after the national reading fails.
        candidates.append("+" + s)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def phone_urn(raw: str) -> str | None:
    """The ``tel:`` URN of ``raw`` (``tel:+84912345678``), or None."""
    number = normalize_phone(raw)
    return None if number is None else f"tel:{number}"
