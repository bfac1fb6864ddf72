"""Phone numbers as E.164 and ``tel:`` URNs, with Google's libphonenumber (``phonenumbers``).

Residents and gateways write Vietnamese numbers many ways: ``0912345678`` (national),
``84912345678`` (country code without ``+``), ``+84 91 234 5678``, ``0084912345678``. All of
them become ``+84912345678``; numbers with another country code keep theirs.

Senders that are not a possible phone number (carrier short codes such as ``191``, alphanumeric
brand names such as ``Viettel``) give ``None``: the adapters ignore them rather than start a
conversation with a carrier's robot (and pay for the replies).
"""

from __future__ import annotations

from bot.channels.phones import DEFAULT_REGION, normalize_phone

TEL = "tel:"


def e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """``raw`` as E.164 (``+84912345678``), or ``None`` when it cannot be a phone number."""
    return normalize_phone(raw, region)


def tel_urn(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """``tel:+84912345678`` for any accepted form of the number, else ``None``."""
    number = e164(raw, region)
    return f"{TEL}{number}" if number else None


def urn_phone(address: str) -> str:
    """The E.164 number inside a ``tel:`` URN; ``ValueError`` for any other address."""
    if not address.startswith(TEL):
        raise ValueError(f"not a tel: address: {address!r}")
    number = e164(address[len(TEL) :])
    if number is None:
        raise ValueError(f"not a phone number: {address!r}")
    return number
