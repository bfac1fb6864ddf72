"""Roles and one-time role codes, as plain values (the engine and the store share them).

- ``resident``: anyone who writes; ``head``: head of one village (trưởng bản);
  ``officer``: officer of one commune; ``admin``: everything. A role other than resident is
  granted only by a one-time code an officer or admin issued (``bot.store.role_codes``).
- A code looks like ``VT-7K3Q-9MXA``: eight symbols of the report-code alphabet (no 0/O,
  1/I/L), typed by hand on a feature phone; case, spaces and dashes do not matter.
"""

from __future__ import annotations

import re
from typing import Final

ROLES: Final = ("resident", "head", "officer", "admin")  # least to most trusted
ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_PREFIX: Final = "VT"
CODE_LENGTH: Final = 8
_NOISE = re.compile(r"[\s\-_.:]+")
_SHAPE = re.compile(rf"^{CODE_PREFIX}[{ALPHABET}]{{{CODE_LENGTH}}}$")
# "ma VT-…", "mã: VT …": a word before the code is allowed
_LEAD = re.compile(r"^\s*m[aã]\b[\s:]*", re.IGNORECASE)


def normalize_code(text: str) -> str | None:
    """``"vt 7k3q 9mxa"`` -> ``"VT-7K3Q-9MXA"``; None if ``text`` cannot be a role code."""
    compact = _NOISE.sub("", _LEAD.sub("", text)).upper()
    if not _SHAPE.match(compact):
        return None
    return f"{CODE_PREFIX}-{compact[2:6]}-{compact[6:]}"


def looks_like_code(text: str) -> bool:
    """True when the whole message is a role code (it is never sent to the NLU)."""
    return normalize_code(text) is not None


def outranks(role: str, other: str) -> bool:
    """True if ``role`` is more trusted than ``other``."""
    return ROLES.index(role) > ROLES.index(other)
