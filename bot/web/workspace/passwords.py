"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).

An unknown username still costs one verification against a fixed dummy hash, so response
time does not tell which usernames exist.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 takes anything; a megabyte "password" is only a way to burn CPU


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not a password of anyone: only here to spend the same time")


def check_new_password(password: str) -> None:
    """ValueError (in Vietnamese, then English) unless the password is acceptable."""
    if len(password) < MIN_LENGTH:
        raise ValueError(
            f"mật khẩu cần ít nhất {MIN_LENGTH} ký tự / at least {MIN_LENGTH} characters"
        )
    if len(password) > MAX_LENGTH:
        raise ValueError(f"mật khẩu quá dài / longer than {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    """An Argon2id hash string (salted, with its parameters) for a checked new password."""
    check_new_password(password)
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True if ``password`` matches ``stored``; with ``stored`` None (unknown user) the
    same work is done against a dummy hash and False is returned."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        ok = _hasher().verify(stored or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and stored is not None


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with weaker parameters than today's defaults."""
    return _hasher().check_needs_rehash(stored)
