"""The outbound dispatcher: per-channel queues, replies before bulk notices, limits, retries.

Contract:

- :meth:`Dispatcher.submit` records the message (``outbound_messages``, status ``queued``) and
  queues it; it returns at once with the message id. Sending happens in worker tasks, always
  after the pipeline committed and saved the session, so a failed send never loses a
  resident's answers.
- Per channel, replies (priority ``reply``) are taken before bulk notices (``bulk``); messages
  to one address are sent in the order submitted.
- Before each send the channel's limits (:mod:`bot.outbound.limits`) are waited for.
- ``SendError``: ``retryable`` -> backoff with jitter up to ``RetryPolicy.max_attempts``;
  ``throttled`` -> the whole channel pauses ``retry_after`` seconds, then the send is retried;
  ``stopped`` -> the contact is marked stopped, no retry; ``permanent`` -> recorded as failed.
  Any other exception from an adapter counts as retryable and only its type is logged (its
  message may carry a URL with a token in it).

:class:`OutboundRunner` is the small interface the runtime uses, so an arq worker can take the
queues over later without the callers changing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.channels.base import SendError, SendResult
from bot.config import Settings
from bot.domain.messages import Outbound
from bot.outbound.limits import ChannelLimits, limits_for
from bot.outbound.retry import RetryPolicy
from bot.ports import ChannelAdapter, RateLimiter
from bot.render.sms import segment_info
from bot.store.repo import Store

log = logging.getLogger(__name__)

Priority = Literal["reply", "bulk"]
_RANK: Mapping[str, int] = {"reply": 0, "bulk": 1}


class OutboundRunner(Protocol):
    async def submit(
        self,
        channel: str,
        message: Outbound,
        *,
        priority: Priority = "reply",
        contact_id: int | None = None,
    ) -> int: ...

    async def aclose(self, grace_seconds: float = 10.0) -> None: ...


@dataclass(slots=True)
class Job:
    id: int
    channel: str
    message: Outbound
    contact_id: int | None
    cost: float
    segments: int | None
    attempts: int = 0
    throttled: int = 0


class Dispatcher:
    """In-process :class:`OutboundRunner` (asyncio workers; ``sleep``/``clock``/``rand`` are
    injectable so tests run retries and limits without waiting)."""

    def __init__(
        self,
        adapters: Mapping[str, ChannelAdapter],
        store: Store,
        limiter: RateLimiter,
        *,
        settings: Settings | None = None,
        limits: Mapping[str, ChannelLimits] | None = None,
        retry: RetryPolicy | None = None,
        workers_per_channel: int = 4,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._adapters = adapters
        self._store = store
        self._limiter = limiter
        self._limits = {n: (limits or {}).get(n) or limits_for(n, settings) for n in adapters}
        self._retry = retry or RetryPolicy()
        self._workers_per_channel = workers_per_channel
        self._sleep, self._clock, self._rand = sleep, clock, rand
        self._queues: dict[str, asyncio.PriorityQueue[tuple[int, int, Job]]] = {}
        self._workers: list[asyncio.Task[None]] = []
        self._order_locks: dict[tuple[str, str], tuple[asyncio.Lock, list[int]]] = {}
        self._paused_until: dict[str, float] = {}
        self._seq = itertools.count()
        self._closed = False

    async def submit(
        self,
        channel: str,
        message: Outbound,
        *,
        priority: Priority = "reply",
        contact_id: int | None = None,
    ) -> int:
        """Record and queue ``message`` for adapter ``channel``; returns its message id."""
        if self._closed:
            raise RuntimeError("the dispatcher is closed")
        limits = self._limits[channel]  # KeyError: no such adapter
        segments = _segments(message) if limits.count_segments else None
        async with self._store.transaction() as tx:
            mid = await tx.outbound.create(
                contact_id=contact_id, adapter=channel, urn=message.address,
                rendering=self._adapters[channel].rendering,
                text=message.text, priority=priority, segments=segments,
            )  # fmt: skip
        job = Job(mid, channel, message, contact_id, float(segments or 1), segments)
        self._queue(channel).put_nowait((_RANK[priority], next(self._seq), job))
        return mid

    async def drain(self) -> None:
        """Wait until every queued message was delivered or given up (retries included)."""
        await asyncio.gather(*(q.join() for q in self._queues.values()))

    async def aclose(self, grace_seconds: float = 10.0) -> None:
        """Stop taking messages, let the queues empty for up to ``grace_seconds``, stop workers.

        Messages still queued then stay ``queued`` in the store (logged with their count).
        """
        self._closed = True
        joins = [q.join() for q in self._queues.values()]
        try:
            await asyncio.wait_for(asyncio.gather(*joins), grace_seconds)
        except TimeoutError:
            left = sum(q.qsize() for q in self._queues.values())
            log.warning("dispatcher closed with %d message(s) unsent (still queued)", left)
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)

    # -- workers ------------------------------------------------------------------------------

    def _queue(self, channel: str) -> asyncio.PriorityQueue[tuple[int, int, Job]]:
        queue = self._queues.get(channel)
        if queue is None:
            queue = self._queues[channel] = asyncio.PriorityQueue()
            for n in range(self._workers_per_channel):
                name = f"outbound-{channel}-{n}"
                self._workers.append(asyncio.create_task(self._work(queue), name=name))
        return queue

    async def _work(self, queue: asyncio.PriorityQueue[tuple[int, int, Job]]) -> None:
        while True:
            _, _, job = await queue.get()
            try:
                async with self._in_order(job):  # no await before the lock: order is kept
                    await self._deliver(job)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbound %d via %s: dispatcher error", job.id, job.channel)
            finally:
                queue.task_done()

    @asynccontextmanager
    async def _in_order(self, job: Job) -> AsyncIterator[None]:
        key = (job.channel, job.message.address)
        lock, users = self._order_locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._order_locks[key]

    async def _deliver(self, job: Job) -> None:
        adapter = self._adapters[job.channel]
        while True:
            await self._ready(job)
            job.attempts += 1
            try:
                result = await adapter.send(job.message)
            except SendError as exc:
                error = exc
            except Exception as exc:  # an adapter bug or an unmapped network error
                error = SendError("retryable", f"unexpected {type(exc).__name__}")
            else:
                await self._sent(job, result)
                return
            if not await self._again(job, error):
                return

    async def _ready(self, job: Job) -> None:
        """Wait out a channel pause (429) and every limit of this message."""
        for key, rate in self._limits[job.channel].keys(job.channel, job.message.address):
            while True:
                paused = self._paused_until.get(job.channel, 0.0) - self._clock()
                if paused > 0:
                    await self._sleep(paused)
                    continue
                wait = await self._limiter.try_acquire(key, rate, job.cost)
                if wait <= 0:
                    break
                await self._sleep(wait)

    async def _again(self, job: Job, error: SendError) -> bool:
        """True to retry ``job`` after ``error`` (having waited); else record the failure."""
        retry = self._retry
        log.warning("outbound %d via %s: %s (attempt %d)", job.id, job.channel, error, job.attempts)
        if error.kind == "throttled" and job.throttled < retry.max_throttled:
            job.throttled += 1
            job.attempts -= 1  # not the message's fault
            wait = error.retry_after
            if wait is None:
                wait = retry.delay(job.throttled, self._rand())
            until = self._clock() + wait
            self._paused_until[job.channel] = max(self._paused_until.get(job.channel, 0), until)
            return True
        if error.kind == "retryable" and job.attempts < retry.max_attempts:
            await self._sleep(retry.delay(job.attempts, self._rand()))
            return True
        async with self._store.transaction() as tx:
            if error.kind == "stopped":
                cid = job.contact_id
                if cid is None:
                    found = await tx.contacts.by_urn(job.message.address)
                    cid = found.id if found else None
                if cid is not None:
                    await tx.contacts.set_stopped(cid, True)
            await tx.outbound.mark_failed(
                job.id, kind=error.kind, code=error.code, attempts=job.attempts
            )
        log.warning("outbound %d via %s failed for good: %s", job.id, job.channel, error.kind)
        return False

    async def _sent(self, job: Job, result: SendResult) -> None:
        segments = result.segments if result.segments is not None else job.segments
        async with self._store.transaction() as tx:
            await tx.outbound.mark_sent(
                job.id, external_id=result.external_id, segments=segments, attempts=job.attempts
            )
        log.info("outbound %d sent via %s (segments: %s)", job.id, job.channel, segments)


def _segments(message: Outbound) -> int:
    """SMS segments of a message: what the adapter's renderer said, or counted here."""
    given = message.meta.get("segments")
    return given if isinstance(given, int) and given > 0 else segment_info(message.text).segments
