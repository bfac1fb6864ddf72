"""build_state picks memory without a Redis URL and Redis with one."""

from __future__ import annotations

import dataclasses

import pytest
from redis.asyncio import Redis

from bot.config import Settings
from bot.sessions import build_state
from bot.sessions.memory import MemoryDeduper, MemoryLocker, MemorySessionStore
from bot.sessions.redis import RedisDeduper, RedisLocker, RedisSessionStore
from tests.sessions.conftest import delete_prefix, unique_keys


def settings(redis_url: str | None) -> Settings:
    return Settings(_env_file=None, redis_url=redis_url)


async def test_memory_without_redis_url() -> None:
    state = build_state(settings(redis_url=None))
    assert state.backend == "memory"
    assert isinstance(state.sessions, MemorySessionStore)
    assert isinstance(state.locker, MemoryLocker)
    assert isinstance(state.deduper, MemoryDeduper)
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.backend = "redis"  # type: ignore[misc]
    await state.aclose()


@pytest.mark.redis
async def test_redis_with_redis_url(redis_url: str) -> None:
    state = build_state(settings(redis_url=redis_url))
    keys = unique_keys()
    try:
        assert state.backend == "redis"
        assert isinstance(state.sessions, RedisSessionStore)
        assert isinstance(state.locker, RedisLocker)
        assert isinstance(state.deduper, RedisDeduper)
        async with state.locker.lock(keys.lock("telegram", "telegram:1"), timeout_seconds=1):
            await state.sessions.save(keys.session("telegram", "telegram:1"), {"a": 1}, 60)
        assert await state.sessions.load(keys.session("telegram", "telegram:1")) == {"a": 1}
        assert await state.deduper.first_time(keys.dedupe("telegram", "telegram:1", "u1"), 60)
    finally:
        cleaner = Redis.from_url(redis_url)
        await delete_prefix(cleaner, keys)
        await cleaner.aclose()
        await state.aclose()
