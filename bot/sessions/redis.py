"""Redis session store, locker and deduper: the production backends (many processes).

Each takes a ``redis.asyncio.Redis`` client it does not own (the caller closes it). Keys are used
as given; build them with :mod:`bot.sessions.keys`. The client may or may not decode responses.
When Redis cannot be reached, every operation raises :class:`bot.ports.StateUnavailable`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.domain.json import JSON
from bot.ports import StateUnavailable
from bot.sessions.codec import check_ttl, decode, encode

log = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


@contextmanager
def _reachable() -> Iterator[None]:
    """Redis's connection errors as :class:`StateUnavailable` (the pipeline's one word)."""
    try:
        yield
    except DOWN as exc:
        raise StateUnavailable(type(exc).__name__) from exc


async def ping(redis: Redis) -> bool:
    """True if Redis answers now (the webhook asks before it accepts a delivery)."""
    try:
        answer: Any = redis.ping()  # typed as "bool or awaitable" by redis-py
        return bool(await answer)
    except DOWN:
        return False


class RedisSessionStore:
    """:class:`bot.ports.SessionStore` as JSON strings written with ``SET key value EX ttl``."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def load(self, key: str) -> JSON | None:
        with _reachable():
            raw: Any = await self._redis.get(key)
        return None if raw is None else decode(raw)

    async def save(self, key: str, data: JSON, ttl_seconds: int) -> None:
        """Write ``data`` (TypeError if not strict JSON) and restart its TTL."""
        value = encode(data)
        with _reachable():
            await self._redis.set(key, value, ex=check_ttl(ttl_seconds))

    async def delete(self, key: str) -> None:
        with _reachable():
            await self._redis.delete(key)


class RedisLocker:
    """:class:`bot.ports.Locker` on redis-py's Lock (token-checked, works across processes).

    Every lock is a lease of ``lease_seconds``: if its holder crashes, the key expires and the
    conversation is free again instead of blocked forever. A block that outlives its lease loses
    exclusivity, so keep the lease well above the slowest message handling. Releasing a lease
    that already expired (or was taken over) is logged, not raised, and never frees the lock of
    the new holder, because release checks the holder's token.
    """

    def __init__(self, redis: Redis, lease_seconds: float = 60.0, poll_seconds: float = 0.05):
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        self._redis = redis
        self._lease = lease_seconds
        self._poll = poll_seconds

    @asynccontextmanager
    async def lock(self, key: str, timeout_seconds: float = 30.0) -> AsyncIterator[None]:
        """Hold ``key`` for the block; TimeoutError after ``timeout_seconds`` of waiting.

        Waiting polls every ``poll_seconds`` and may give up up to one poll early.
        """
        lock = self._redis.lock(
            key,
            timeout=self._lease,
            sleep=self._poll,
            blocking_timeout=timeout_seconds,
            # One Lock object per block, used by one task: no thread-local token needed.
            thread_local=False,
        )
        with _reachable():
            acquired = await lock.acquire()
        if not acquired:
            raise TimeoutError(f"lock {key!r} not acquired within {timeout_seconds}s")
        try:
            yield
        finally:
            try:
                await lock.release()
            except LockError:
                log.warning("lock %r expired before release (lease %ss)", key, self._lease)
            except DOWN:  # the lease frees it; the block's own outcome matters more
                log.warning("lock %r not released: Redis unreachable (lease %ss)", key, self._lease)


class RedisDeduper:
    """:class:`bot.ports.Deduper` as ``SET key 1 NX EX ttl``: atomic across processes."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def first_time(self, key: str, ttl_seconds: int) -> bool:
        with _reachable():
            return bool(await self._redis.set(key, 1, nx=True, ex=check_ttl(ttl_seconds)))

    async def forget(self, key: str) -> None:
        with _reachable():
            await self._redis.delete(key)
