"""Human-friendly report reference codes: ``TT-7K3Q9M``.

A code is a two-letter type prefix, a dash and six characters from an alphabet without the
look-alikes 0/O, 1/I/L, so it survives being read aloud or copied by hand from a feature phone.
31 symbols ** 6 ≈ 887 million codes per type; the store still retries on a collision.
"""

from __future__ import annotations

import re
import secrets
from typing import Final

ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH: Final = 6

# Vietnamese initials: thiên tai, biến động, rà soát, chuyển cán bộ.
PREFIXES: Final[dict[str, str]] = {
    "disaster": "TT",
    "household_change": "BD",
    "eligibility_request": "RS",
    "handover": "CB",
}

_NOISE = re.compile(r"[\s\-_.]+")
_SHAPE = re.compile(rf"^(?:{'|'.join(PREFIXES.values())})[{ALPHABET}]{{{CODE_LENGTH}}}$")


def random_code() -> str:
    """Six random symbols from :data:`ALPHABET` (cryptographic RNG: codes are not guessable)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def make_ref(report_type: str, code: str) -> str:
    """``make_ref("disaster", "7K3Q9M") == "TT-7K3Q9M"``; ValueError on an unknown type."""
    try:
        prefix = PREFIXES[report_type]
    except KeyError:
        raise ValueError(f"unknown report type {report_type!r}") from None
    return f"{prefix}-{code}"


def normalize_ref(text: str) -> str | None:
    """The canonical form of a typed reference, or None if it cannot be one.

    Case, surrounding and inner spaces, and the dash are ignored: ``" tt 7k3q9m "``,
    ``"TT7K3Q9M"`` and ``"tt-7k3q9m"`` all give ``"TT-7K3Q9M"``.
    """
    compact = _NOISE.sub("", text).upper()
    if not _SHAPE.match(compact):
        return None
    return f"{compact[:2]}-{compact[2:]}"
