"""Pick the conversation-state backends from :class:`bot.config.Settings`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from bot.config import Settings
from bot.ports import Deduper, Locker, SessionStore
from bot.sessions.memory import MemoryDeduper, MemoryLocker, MemorySessionStore
from bot.sessions.redis import RedisDeduper, RedisLocker, RedisSessionStore, ping

# A message waits at most this long for Redis to come back before its apology goes out: two
# quick retries (a blip), a short connect timeout (a stopped server), a bounded read (a hung
# one). redis-py's own default retries for seconds per command.
CONNECT_TIMEOUT = 1.0
COMMAND_TIMEOUT = 5.0


async def _nothing_to_close() -> None:
    return None


async def _always() -> bool:
    return True


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
    _ping: Callable[[], Awaitable[bool]] = _always

    async def available(self) -> bool:
        """True if the backend answers now (memory always does); never raises."""
        return await self._ping()

    async def aclose(self) -> None:
        await self._close()


def build_state(settings: Settings) -> ConversationState:
    """In-process memory when ``settings.redis_url`` is None (single process only), else Redis.

    No connection is made here; the first command connects. While Redis is down every
    operation raises :class:`bot.ports.StateUnavailable` within about a second.
    """
    if settings.redis_url is None:
        return ConversationState(
            sessions=MemorySessionStore(),
            locker=MemoryLocker(),
            deduper=MemoryDeduper(),
            backend="memory",
        )
    client = Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=COMMAND_TIMEOUT,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 2),
    )

    async def reachable() -> bool:
        return await ping(client)

    return ConversationState(
        sessions=RedisSessionStore(client),
        locker=RedisLocker(client),
        deduper=RedisDeduper(client),
        backend="redis",
        _close=client.aclose,
        _ping=reachable,
    )
