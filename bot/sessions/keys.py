"""Storage keys for conversation state, locks and dedupe marks.

Every key is ``<prefix>:<kind>:<part>:<part>...`` with the default prefix ``banbot``. Each part
is percent-encoded with nothing but ``[A-Za-z0-9_.~+@-]`` left bare, so ``:`` and ``%`` never
appear raw inside a part: splitting on ``:`` is unambiguous and two different inputs can never
build the same key (``("telegram", "1:x")`` vs ``("telegram:1", "x")``). Parts longer than
:data:`MAX_PART` characters once encoded are replaced by ``#`` + their SHA-256, and ``#`` is
always encoded inside a normal part, so a hashed part cannot collide with a literal one either.

The address part is always hashed the same way (``#`` + its SHA-256): a key names a
conversation without carrying the resident's phone number or chat id, so key listings, lock
warnings and log lines hold no address (docs/decisions/0016-observability.md).
:func:`conversation_id` is the start of that hash: the id log lines carry for one conversation.

Tests build a :class:`KeyBuilder` with their own prefix; the application uses :data:`DEFAULT`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

PREFIX = "banbot"
MAX_PART = 200
# Bare in a part: unreserved characters plus "+" and "@", which keep tel:/email-like URNs legible.
_SAFE = "+@"


def _utf8(value: str) -> bytes:
    # a provider id with a lone surrogate (a forged "\ud800" in JSON) still makes a key
    return value.encode("utf-8", "surrogatepass")


def _digest(value: str) -> str:
    return hashlib.sha256(_utf8(value)).hexdigest()


def _part(value: str) -> str:
    if not value:
        raise ValueError("key parts must be non-empty strings")
    encoded = quote(_utf8(value), safe=_SAFE)
    if len(encoded) > MAX_PART:
        return "#" + _digest(value)
    return encoded


def _address(value: str) -> str:
    """An address part: never literal (see the module docstring)."""
    if not value:
        raise ValueError("key parts must be non-empty strings")
    return "#" + _digest(value)


def conversation_id(address: str) -> str:
    """A short stable id of the conversation of ``address`` for logs: the first 16 hex
    digits of the hash its keys carry (an operator can find the session from a log line)."""
    return _digest(address)[:16]


@dataclass(frozen=True, slots=True)
class KeyBuilder:
    """Builds collision-free keys under one prefix (frozen: share it freely)."""

    prefix: str = PREFIX

    def __post_init__(self) -> None:
        # The prefix is written raw, so it must not contain the separator's escape either.
        if not self.prefix or _part(self.prefix) != self.prefix:
            raise ValueError(f"prefix must be non-empty and need no escaping: {self.prefix!r}")

    def _key(self, kind: str, scheme: str, address: str, *parts: str) -> str:
        return ":".join((self.prefix, kind, _part(scheme), _address(address), *map(_part, parts)))

    def session(self, scheme: str, address: str) -> str:
        """Key of one conversation's state, e.g. ``banbot:session:telegram:#<sha256>``.

        A conversation belongs to an address, whichever adapter carried its messages (a
        ``tel:`` number may write through either SMS adapter); ``scheme`` is the address's.
        """
        return self._key("session", scheme, address)

    def lock(self, scheme: str, address: str) -> str:
        """Key of one conversation's lock (distinct from its session key)."""
        return self._key("lock", scheme, address)

    def dedupe(self, adapter: str, address: str, external_id: str) -> str:
        """Key marking one provider delivery (``adapter|address|external_id``) as seen."""
        return self._key("dedupe", adapter, address, external_id)


DEFAULT = KeyBuilder()


def scheme_of(address: str) -> str:
    """``"tel:+8491…"`` -> ``"tel"``."""
    return address.partition(":")[0]


def session_key(scheme: str, address: str) -> str:
    """:meth:`KeyBuilder.session` under the default prefix."""
    return DEFAULT.session(scheme, address)


def lock_key(scheme: str, address: str) -> str:
    """:meth:`KeyBuilder.lock` under the default prefix."""
    return DEFAULT.lock(scheme, address)


def dedupe_key(adapter: str, address: str, external_id: str) -> str:
    """:meth:`KeyBuilder.dedupe` under the default prefix."""
    return DEFAULT.dedupe(adapter, address, external_id)
