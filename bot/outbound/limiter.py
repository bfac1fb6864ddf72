"""Send-rate limiting with GCRA (the generic cell rate algorithm, a token bucket in one number).

Each key stores its "theoretical arrival time" (TAT). A request of ``cost`` units at ``rate``
per second with a ``burst`` allowance is allowed when ``TAT + cost/rate - burst/rate <= now``;
then TAT moves on by ``cost/rate``. A refused request changes nothing and learns how long to
wait. Two backends, one contract (tests/outbound/test_limiter.py runs both):

- :class:`MemoryRateLimiter`: one process;
- :class:`RedisRateLimiter`: an atomic Lua script on Redis's own clock (``TIME``), so every
  process of the bot shares the same budget (Telegram's 30 msg/s is per bot, not per process).

A cost above the burst (a 4-segment SMS on a 1-segment budget) is let through when the bucket
is full rather than refused forever; it then costs its full time.

Replies are never starved by bulk ("reserve before you take"): a bulk send takes with
``reserve=1``, so it only succeeds while at least one unit would stay in the bucket after it.
Under a flood of bulk sends the bucket hovers one unit above empty, and a reply (``reserve=0``)
needs only that one free unit to start, whatever its cost (a 3-segment SMS answer among
1-segment notices): it waits at most one interval, never behind the bulk queue, and then costs
its full time — the bulk waits for it. (A rule with ``burst < reserve + 1`` has no room to
reserve; its bulk and replies compete equally.)

A ``pause`` (the provider answered 429 with a retry-after) stops every taker of a key until it
ends; the Redis backend keeps it in Redis, so every process respects it.

A message is limited by several keys at once (Telegram: the chat, then the bot):
``try_acquire_all`` takes from all of them or from none. Taking them one by one burnt the
chat's units each time the shared bot key refused, so a pump racing for a busy channel soon
waited a whole second on a chat it had never sent to (measured: a notice at 66 % of the
configured rate).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class Rate:
    """``per_second`` units on average, up to ``burst`` at once."""

    per_second: float
    burst: float = 1.0

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError(f"bad rate {self}")


def _gcra(
    tat: float | None, now: float, rate: Rate, cost: float, reserve: float = 0.0
) -> tuple[float, float]:
    """(wait, new_tat); the shared arithmetic, mirrored by the Lua script."""
    interval = 1.0 / rate.per_second
    room = rate.burst - reserve if rate.burst - reserve >= 1 else rate.burst
    # a reply starts on one free unit whatever its cost; bulk needs its cost free (the
    # whole room for a bigger one)
    need = min(cost, 1.0 if reserve == 0 else room)
    tolerance = (room - need + cost) * interval
    start = now if tat is None or tat < now else tat
    new_tat = start + cost * interval
    allow_at = new_tat - tolerance
    return (allow_at - now, new_tat) if allow_at > now else (0.0, new_tat)


class MemoryRateLimiter:
    """In-process GCRA; ``clock`` is monotonic seconds (injectable for tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tat: dict[str, float] = {}
        self._paused: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def pause(self, key: str, seconds: float) -> None:
        async with self._lock:
            until = self._clock() + seconds
            self._paused[key] = max(self._paused.get(key, 0.0), until)

    async def try_acquire(
        self, key: str, rate: Rate, cost: float = 1.0, *, reserve: float = 0.0
    ) -> float:
        return await self.try_acquire_all([(key, rate)], cost, reserve=reserve)

    async def try_acquire_all(
        self, keys: Sequence[tuple[str, Rate]], cost: float = 1.0, *, reserve: float = 0.0
    ) -> float:
        async with self._lock:
            now = self._clock()
            wait = 0.0
            taken: dict[str, float] = {}
            for key, rate in keys:
                wait = max(wait, self._paused.get(key, 0.0) - now)
                refused, new_tat = _gcra(self._tat.get(key), now, rate, cost, reserve)
                wait, taken[key] = max(wait, refused), new_tat
            if wait <= 0:
                self._tat.update(taken)
            if len(self._tat) > 10_000:  # forget buckets that are full again (idle chats)
                self._tat = {k: t for k, t in self._tat.items() if t > now}
            return max(wait, 0.0)


# KEYS: bucket 1, pause 1, bucket 2, pause 2, ...; ARGV: cost, reserve, then interval and
# burst of each bucket. All buckets are checked before any is taken from.
_LUA = """
local cost = tonumber(ARGV[1])
local reserve = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local wait = 0
local tats = {}
for i = 1, #KEYS / 2 do
  local paused = redis.call('PTTL', KEYS[2 * i])
  if paused > 0 and paused / 1000 > wait then wait = paused / 1000 end
  local interval = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  local room = burst - reserve
  if room < 1 then room = burst end
  local need = math.min(cost, room)
  if reserve == 0 then need = math.min(cost, 1) end
  local tolerance = (room - need + cost) * interval
  local tat = tonumber(redis.call('GET', KEYS[2 * i - 1]))
  if tat == nil or tat < now then tat = now end
  tats[i] = tat + cost * interval
  local allow_at = tats[i] - tolerance
  if allow_at - now > wait then wait = allow_at - now end
end
if wait > 0 then return tostring(wait) end
for i = 1, #KEYS / 2 do
  redis.call('SET', KEYS[2 * i - 1], tostring(tats[i]), 'PX', math.ceil((tats[i] - now) * 1000) + 1)
end
return '0'
"""


class RedisRateLimiter:
    """GCRA on Redis: one atomic script per request; keys expire when the bucket is full."""

    def __init__(self, redis: Redis, prefix: str = "banbot:send:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script: Any = redis.register_script(_LUA)

    async def try_acquire(
        self, key: str, rate: Rate, cost: float = 1.0, *, reserve: float = 0.0
    ) -> float:
        return await self.try_acquire_all([(key, rate)], cost, reserve=reserve)

    async def try_acquire_all(
        self, keys: Sequence[tuple[str, Rate]], cost: float = 1.0, *, reserve: float = 0.0
    ) -> float:
        """One script for all ``keys`` (one Redis server: the keys are not hash-tagged for a
        cluster)."""
        names: list[str] = []
        args = [repr(float(cost)), repr(float(reserve))]
        for key, rate in keys:
            names += [self._prefix + key, self._prefix + "pause:" + key]
            args += [repr(1.0 / rate.per_second), repr(float(rate.burst))]
        raw = await self._script(keys=names, args=args)
        return float(raw.decode() if isinstance(raw, bytes) else raw)

    async def pause(self, key: str, seconds: float) -> None:
        """Keep the longer of an existing pause and this one."""
        name = self._prefix + "pause:" + key
        ms = max(1, int(seconds * 1000))
        if await self._redis.pttl(name) < ms:
            await self._redis.set(name, b"1", px=ms)
