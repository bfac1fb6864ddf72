"""Report references live in :mod:`bot.domain.refs` (the engine reads them too); the store
draws and checks them through these names."""

from bot.domain.refs import ALPHABET, CODE_LENGTH, PREFIXES, make_ref, normalize_ref, random_code

__all__ = ["ALPHABET", "CODE_LENGTH", "PREFIXES", "make_ref", "normalize_ref", "random_code"]
