"""Fixtures of the sending tests:

- ``store``: a migrated, empty database on SQLite and on PostgreSQL (the fixtures of
  tests/store/conftest.py), so the claiming and re-taking of rows is tested on both;
- ``limiter``: each send limiter, in memory and on the real Redis (a key prefix of its own,
  its keys deleted afterwards).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.outbound.limiter import MemoryRateLimiter, RedisRateLimiter
from bot.ports import RateLimiter

# fixtures, used by name
from tests.store.conftest import backend_url, migrated_postgres, store, store_url

__all__ = ["backend_url", "limiter", "migrated_postgres", "store", "store_url"]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    client = Redis.from_url(request.getfixturevalue("redis_url"))
    prefix = f"test:rl:{secrets.token_hex(4)}:"
    try:
        yield RedisRateLimiter(client, prefix=prefix)
    finally:
        keys = [k async for k in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
