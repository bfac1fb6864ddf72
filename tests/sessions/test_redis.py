"""What only the Redis backends promise: TTLs on the server, leases, any client decoding."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.sessions.keys import KeyBuilder
from bot.sessions.redis import RedisDeduper, RedisLocker, RedisSessionStore
from tests.sessions.conftest import delete_prefix, unique_keys

pytestmark = pytest.mark.redis
WEEK = 7 * 24 * 3600


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def keys(client: Redis) -> AsyncIterator[KeyBuilder]:
    keys = unique_keys()
    yield keys
    await delete_prefix(client, keys)


async def test_session_is_stored_as_json_with_its_ttl(client: Redis, keys: KeyBuilder) -> None:
    key = keys.session("telegram", "telegram:1")
    await RedisSessionStore(client).save(key, {"text": "bản Nà Pó"}, 100)
    assert 99_000 < await client.pttl(key) <= 100_000
    assert await client.get(key) == '{"text":"bản Nà Pó"}'.encode()
    await RedisSessionStore(client).save(key, {"text": "x"}, WEEK)  # saving restarts the TTL
    assert WEEK - 2 < await client.ttl(key) <= WEEK


async def test_dedupe_mark_has_its_ttl(client: Redis, keys: KeyBuilder) -> None:
    key = keys.dedupe("sms", "tel:+84912345678", "SM1")
    assert await RedisDeduper(client).first_time(key, 48 * 3600)
    assert 48 * 3600 - 2 < await client.ttl(key) <= 48 * 3600


async def test_works_with_a_decoding_client(redis_url: str, keys: KeyBuilder) -> None:
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        store = RedisSessionStore(client)
        key = keys.session("zalo", "zalo:1")
        await store.save(key, {"v": "Sơn La"}, 60)
        assert await store.load(key) == {"v": "Sơn La"}
        assert await RedisDeduper(client).first_time(keys.dedupe("zalo", "zalo:1", "m"), 60)
        async with RedisLocker(client).lock(keys.lock("zalo", "zalo:1"), timeout_seconds=1):
            pass
    finally:
        await delete_prefix(client, keys)
        await client.aclose()


async def test_lock_key_carries_a_lease(client: Redis, keys: KeyBuilder) -> None:
    key = keys.lock("telegram", "telegram:1")
    async with RedisLocker(client, lease_seconds=30).lock(key):
        assert 29_000 < await client.pttl(key) <= 30_000
    assert not await client.exists(key)


async def test_crashed_holder_cannot_block_forever(
    client: Redis, keys: KeyBuilder, caplog: pytest.LogCaptureFixture
) -> None:
    """A holder that never releases loses the lock when its lease ends; its late release
    neither raises nor frees the lock of the next holder."""
    key = keys.lock("telegram", "telegram:1")
    stuck_in = asyncio.Event()
    release_stuck = asyncio.Event()

    async def stuck_holder() -> None:
        async with RedisLocker(client, lease_seconds=0.2).lock(key):
            stuck_in.set()
            await release_stuck.wait()  # a hung handler

    stuck = asyncio.create_task(stuck_holder())
    await stuck_in.wait()
    async with RedisLocker(client, lease_seconds=30).lock(key, timeout_seconds=3):
        with caplog.at_level(logging.WARNING, logger="bot.sessions.redis"):
            release_stuck.set()
            await stuck  # its release finds a foreign token: logged, not raised
        assert "expired before release" in caplog.text
        assert await client.pttl(key) > 20_000  # still ours
