"""The heartbeat of whoever runs the queue, read by ``/readyz``.

The process that runs queue items (every ``banbot worker``; with the in-process queue, the app
itself) writes the time every :data:`INTERVAL` seconds, and refreshes the queue-depth gauge on
the way. With saq the beat is a Redis key every worker writes (the newest beat wins: "some
worker is alive"), read by the app processes, which do not beat; with the local queue it is
this process's own memory. ``/readyz`` fails when the last beat is older than
``Settings.heartbeat_stale_seconds`` or there is none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

from bot import metrics
from bot.config import Settings
from bot.ports import JobQueue

log = logging.getLogger(__name__)
INTERVAL = 5.0
Clock = Callable[[], float]


class Heartbeat(Protocol):
    async def beat(self) -> None:
        """Record that the queue's runner is alive now."""

    async def last(self) -> float | None:
        """Unix time of the newest beat, or None if there was none."""

    async def aclose(self) -> None: ...


class MemoryHeartbeat:
    """The in-process queue's heartbeat: this process's own."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._last: float | None = None

    async def beat(self) -> None:
        self._last = self._clock()

    async def last(self) -> float | None:
        return self._last

    async def aclose(self) -> None:
        return None


class RedisHeartbeat:
    """The workers' heartbeat: one Redis key, written by every worker, read by the apps."""

    def __init__(self, redis_url: str, key: str, clock: Clock = time.time) -> None:
        self.key = key
        self._client = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        self._clock = clock

    async def beat(self) -> None:
        await self._client.set(self.key, repr(self._clock()), ex=24 * 3600)

    async def last(self) -> float | None:
        value = await self._client.get(self.key)
        return float(value) if value is not None else None

    async def aclose(self) -> None:
        await self._client.aclose()


def build_heartbeat(settings: Settings) -> Heartbeat:
    if settings.queue == "saq":
        return RedisHeartbeat(str(settings.redis_url), f"banbot:heartbeat:{settings.queue_name}")
    return MemoryHeartbeat()


async def run(heartbeat: Heartbeat, queue: JobQueue, stop: asyncio.Event) -> None:
    """Beat (and refresh the queue depth) every :data:`INTERVAL` seconds until ``stop``."""
    while not stop.is_set():
        try:
            await heartbeat.beat()
            metrics.queue_depth(await queue.depth())
        except Exception:  # Redis away: /readyz says so; keep trying
            log.warning("heartbeat failed", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL)
