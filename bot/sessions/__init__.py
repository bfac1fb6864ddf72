"""Conversation state: sessions (JSON + TTL), a per-conversation lock, inbound dedupe.

Two backends behind :mod:`bot.ports`: in-process memory (single process only) and Redis.
:func:`build_state` picks one from settings; :mod:`bot.sessions.keys` builds the keys.
The pipeline dedupes first, then locks, then loads (never load before the lock: a concurrent
update would be lost).
"""

from bot.sessions.factory import ConversationState, build_state
from bot.sessions.keys import KeyBuilder, dedupe_key, lock_key, session_key

__all__ = [
    "ConversationState",
    "KeyBuilder",
    "build_state",
    "dedupe_key",
    "lock_key",
    "session_key",
]
