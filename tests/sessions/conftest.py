"""The ``backend`` fixture: one set of session store, locker and deduper per backend.

Until ``tests/conftest.py`` enables ``tests.support.plugin`` (pytest only honours
``pytest_plugins`` in the root conftest), its fixtures are imported here. Remove the import
once the plugin is enabled suite-wide.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from bot.ports import Deduper, Locker, SessionStore
from bot.sessions.keys import KeyBuilder
from bot.sessions.memory import MemoryDeduper, MemoryLocker, MemorySessionStore
from bot.sessions.redis import RedisDeduper, RedisLocker, RedisSessionStore


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@dataclass
class Backend:
    """What a contract test needs: the three ports, a key builder, and a way to let time pass."""

    name: str
    sessions: SessionStore
    locker: Locker
    deduper: Deduper
    keys: KeyBuilder
    elapse: Callable[[float], Awaitable[None]]


def unique_keys() -> KeyBuilder:
    """A prefix no other test run (or other developer on the same Redis) uses."""
    return KeyBuilder(prefix=f"banbot-test-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def delete_prefix(client: Redis, keys: KeyBuilder) -> None:
    """Delete this test's keys only: the server is shared, never FLUSHDB it."""
    doomed = [key async for key in client.scan_iter(match=f"{keys.prefix}:*", count=500)]
    if doomed:
        await client.delete(*doomed)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def backend(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[Backend]:
    keys = unique_keys()
    if request.param == "memory":

        async def advance(seconds: float) -> None:
            clock.now += seconds
            await asyncio.sleep(0)

        yield Backend(
            "memory", MemorySessionStore(clock), MemoryLocker(), MemoryDeduper(clock), keys, advance
        )
        return
    # Not the redis_client fixture: an async fixture cannot request another one dynamically.
    client = Redis.from_url(request.getfixturevalue("redis_url"))
    try:
        yield Backend(
            "redis",
            RedisSessionStore(client),
            RedisLocker(client),
            RedisDeduper(client),
            keys,
            asyncio.sleep,
        )
    finally:
        await delete_prefix(client, keys)
        await client.aclose()
