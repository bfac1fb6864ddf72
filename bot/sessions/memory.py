"""In-process session store, locker and deduper: the embedded default.

SINGLE PROCESS ONLY. State, locks and dedupe marks live in this process's memory: two workers
would each have their own, so a conversation could be handled twice at once and a retried
webhook processed twice. Run one process, or set ``BANBOT_REDIS_URL``.

Time comes from an injectable ``clock`` (seconds, monotonic by default) so tests can move it.
Expired entries are dropped when read and swept every :data:`SWEEP_EVERY` writes, so memory
tracks the live conversations, not every one ever seen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.domain.json import JSON
from bot.sessions.codec import check_ttl, decode, encode

Clock = Callable[[], float]
SWEEP_EVERY = 1024


class _Expiring:
    """A dict of ``key -> (value, expires_at)`` that forgets expired entries."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._items: dict[str, tuple[str, float]] = {}
        self._writes = 0

    def get(self, key: str) -> str | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[1] <= self._clock():
            del self._items[key]
            return None
        return item[0]

    def put(self, key: str, value: str, ttl_seconds: int) -> None:
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:
            now = self._clock()
            for stale in [k for k, (_, exp) in self._items.items() if exp <= now]:
                del self._items[stale]
        self._items[key] = (value, self._clock() + check_ttl(ttl_seconds))

    def pop(self, key: str) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


class MemorySessionStore:
    """:class:`bot.ports.SessionStore` in a dict (single process only).

    Every save encodes to JSON text and every load decodes it again, exactly like Redis: state
    that is not JSON fails here with TypeError, and callers never share a mutable dict with the
    store (changing a loaded dict changes nothing until it is saved).
    """

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._data = _Expiring(clock)

    async def load(self, key: str) -> JSON | None:
        raw = self._data.get(key)
        return None if raw is None else decode(raw)

    async def save(self, key: str, data: JSON, ttl_seconds: int) -> None:
        self._data.put(key, encode(data), ttl_seconds)

    async def delete(self, key: str) -> None:
        self._data.pop(key)

    def __len__(self) -> int:
        """Entries held, expired ones not yet swept included (for tests and metrics)."""
        return len(self._data)


@dataclass(slots=True)
class _LockEntry:
    lock: asyncio.Lock
    users: int = 0  # the holder plus every waiter


class MemoryLocker:
    """:class:`bot.ports.Locker` with one asyncio.Lock per key (single process, one event loop).

    A key's lock exists only while someone holds or waits for it, so memory does not grow with
    the number of conversations. There is no lease: a holder that dies takes the process with it.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _LockEntry] = {}

    @asynccontextmanager
    async def lock(self, key: str, timeout_seconds: float = 30.0) -> AsyncIterator[None]:
        """Hold ``key`` for the block; TimeoutError after ``timeout_seconds`` of waiting."""
        entry = self._entries.setdefault(key, _LockEntry(asyncio.Lock()))
        entry.users += 1
        try:
            try:
                async with asyncio.timeout(timeout_seconds):
                    await entry.lock.acquire()
            except TimeoutError:
                msg = f"lock {key!r} not acquired within {timeout_seconds}s"
                raise TimeoutError(msg) from None
            try:
                yield
            finally:
                entry.lock.release()
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]

    def __len__(self) -> int:
        """Keys currently held or waited for (for tests and metrics)."""
        return len(self._entries)


class MemoryDeduper:
    """:class:`bot.ports.Deduper` in a dict with expiry (single process only)."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._seen = _Expiring(clock)

    async def first_time(self, key: str, ttl_seconds: int) -> bool:
        """True and mark ``key`` seen if unseen within its TTL; otherwise False (mark kept)."""
        check_ttl(ttl_seconds)
        # No await between the check and the mark, so this is atomic on one event loop.
        if self._seen.get(key) is not None:
            return False
        self._seen.put(key, "1", ttl_seconds)
        return True

    async def forget(self, key: str) -> None:
        self._seen.pop(key)

    def __len__(self) -> int:
        """Marks held, expired ones not yet swept included (for tests and metrics)."""
        return len(self._seen)
