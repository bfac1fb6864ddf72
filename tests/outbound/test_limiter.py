"""One contract for both limiter backends (memory, and the real Redis), plus the arithmetic."""

from __future__ import annotations

import asyncio
import secrets
import time

import pytest
from redis.asyncio import Redis

from bot.outbound.limiter import MemoryRateLimiter, Rate, RedisRateLimiter
from bot.ports import RateLimiter


class TestLimiterContract:
    async def test_burst_then_wait_one_interval(self, limiter: RateLimiter) -> None:
        rate = Rate(per_second=10, burst=3)
        assert [await limiter.try_acquire("a", rate) for _ in range(3)] == [0.0, 0.0, 0.0]
        wait = await limiter.try_acquire("a", rate)
        assert 0.05 < wait <= 0.1 + 1e-6
        assert 0.05 < await limiter.try_acquire("a", rate) <= 0.1 + 1e-6  # refusal takes nothing

    async def test_several_keys_are_taken_all_or_none(self, limiter: RateLimiter) -> None:
        """A chat's budget is not spent while the bot's shared one refuses (or is paused)."""
        chat, bot = Rate(per_second=1, burst=3), Rate(per_second=10, burst=1)
        keys = [("chat:9", chat), ("bot", bot)]
        assert await limiter.try_acquire_all(keys) == 0.0
        for _ in range(5):
            assert 0.05 < await limiter.try_acquire_all(keys) <= 0.1 + 1e-6
        await limiter.pause("bot", 0.5)
        assert 0.4 < await limiter.try_acquire_all(keys) <= 0.5 + 1e-6
        assert [await limiter.try_acquire("chat:9", chat) for _ in range(2)] == [0.0, 0.0]
        assert await limiter.try_acquire("chat:9", chat) > 0.5  # 3 taken: 1 + these 2

    async def test_waiting_the_answer_is_enough(self, limiter: RateLimiter) -> None:
        rate = Rate(per_second=20, burst=1)
        assert await limiter.try_acquire("b", rate) == 0.0
        wait = await limiter.try_acquire("b", rate)
        assert wait > 0
        await asyncio.sleep(wait + 0.005)
        assert await limiter.try_acquire("b", rate) == 0.0

    async def test_costs_count_segments(self, limiter: RateLimiter) -> None:
        rate = Rate(per_second=10, burst=3)
        assert await limiter.try_acquire("c", rate, cost=3) == 0.0
        assert 0.05 < await limiter.try_acquire("c", rate, cost=1) <= 0.1 + 1e-6
        # a cost above the burst passes on a full bucket and then costs its full time
        assert await limiter.try_acquire("d", Rate(10, 1), cost=4) == 0.0
        assert 0.35 < await limiter.try_acquire("d", Rate(10, 1)) <= 0.4 + 1e-6

    async def test_bulk_leaves_a_unit_that_a_reply_of_any_cost_takes(
        self, limiter: RateLimiter
    ) -> None:
        """Bulk (``reserve=1``) stops one unit short of empty; a reply (``reserve=0``) needs
        only that unit to start, whatever its cost — a 3-segment SMS answer among 1-segment
        notices is not starved — and then costs its full time: the bulk waits for it."""
        rate = Rate(per_second=10, burst=4)
        taken = 0
        start = time.monotonic()
        while await limiter.try_acquire("r", rate, 1, reserve=1) == 0.0:
            taken += 1
        assert taken == 3
        assert await limiter.try_acquire("r", rate, 3) == 0.0
        # the waits shrink by the time the calls themselves took (a busy machine)
        wait = await limiter.try_acquire("r", rate, 1, reserve=1)
        assert 0.35 - (time.monotonic() - start) < wait <= 0.4 + 1e-6
        wait = await limiter.try_acquire("r", rate, 1)  # the next reply
        assert 0.25 - (time.monotonic() - start) < wait <= 0.3 + 1e-6

    async def test_keys_are_independent(self, limiter: RateLimiter) -> None:
        rate = Rate(per_second=1, burst=1)
        assert await limiter.try_acquire("chat:1", rate) == 0.0
        assert await limiter.try_acquire("chat:2", rate) == 0.0
        assert await limiter.try_acquire("chat:1", rate) > 0.9

    async def test_concurrent_callers_share_one_budget(self, limiter: RateLimiter) -> None:
        rate = Rate(per_second=1, burst=5)
        waits = await asyncio.gather(*(limiter.try_acquire("e", rate) for _ in range(20)))
        assert sum(1 for w in waits if w == 0.0) == 5


async def test_two_redis_limiters_share_the_budget(redis_url: str) -> None:
    """Two processes (two clients) draw from one bucket: the point of the Redis backend."""
    a, b = Redis.from_url(redis_url), Redis.from_url(redis_url)
    prefix = f"test:rl:{secrets.token_hex(4)}:"
    try:
        la, lb = RedisRateLimiter(a, prefix=prefix), RedisRateLimiter(b, prefix=prefix)
        rate = Rate(per_second=1, burst=2)
        assert await la.try_acquire("all", rate) == 0.0
        assert await lb.try_acquire("all", rate) == 0.0
        assert await la.try_acquire("all", rate) > 0.5
    finally:
        await a.delete(prefix + "all")
        await a.aclose()
        await b.aclose()


def test_rate_must_make_sense() -> None:
    with pytest.raises(ValueError, match="bad rate"):
        Rate(per_second=0)
    with pytest.raises(ValueError, match="bad rate"):
        Rate(per_second=1, burst=0.5)


async def test_memory_limiter_with_a_fake_clock() -> None:
    now = [100.0]
    lim = MemoryRateLimiter(clock=lambda: now[0])
    rate = Rate(per_second=2, burst=1)
    assert await lim.try_acquire("k", rate) == 0.0
    assert await lim.try_acquire("k", rate) == pytest.approx(0.5)
    now[0] += 0.5
    assert await lim.try_acquire("k", rate) == 0.0
    now[0] += 60  # idle: the bucket is full again, only the burst passes at once
    assert await lim.try_acquire("k", rate) == 0.0
    assert await lim.try_acquire("k", rate) == pytest.approx(0.5)
