"""Pick the conversation-state backends from :class:`bot.config.Settings`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.config import Settings
from bot.ports import Deduper, Locker, SessionStore
from bot.sessions.memory import MemoryDeduper, MemoryLocker, MemorySessionStore
from bot.sessions.redis import RedisDeduper, RedisLocker, RedisSessionStore


async def _nothing_to_close() -> None:
    return None


@dataclass(frozen=True, slots=True)
class ConversationState:
    """Sessions, per-conversation lock and inbound dedupe, sharing one backend.

    Call :meth:`aclose` once at shutdown (it closes the Redis connection pool, if any).
    """

    sessions: SessionStore
    locker: Locker
    deduper: Deduper
    backend: str  # "memory" or "redis", for logs and health checks
    _close: Callable[[], Awaitable[None]] = _nothing_to_close

    async def aclose(self) -> None:
        await self._close()


def build_state(settings: Settings) -> ConversationState:
    """In-process memory when ``settings.redis_url`` is None (single process only), else Redis.

    No connection is made here; the first command connects (and fails loudly if Redis is down).
    """
    if settings.redis_url is None:
        return ConversationState(
            sessions=MemorySessionStore(),
            locker=MemoryLocker(),
            deduper=MemoryDeduper(),
            backend="memory",
        )
    client = Redis.from_url(settings.redis_url)
    return ConversationState(
        sessions=RedisSessionStore(client),
        locker=RedisLocker(client),
        deduper=RedisDeduper(client),
        backend="redis",
        _close=client.aclose,
    )
