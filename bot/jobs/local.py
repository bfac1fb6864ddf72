"""The in-process queue of the embedded default: asyncio workers per lane, no Redis.

Nothing is kept in memory that the database does not also hold: after a crash the sweeper
finds every unfinished send, pump and job in the database and queues it again. Lanes have
their own workers, so a burst of bulk never delays a reply; within a lane, items run when due,
earliest first. Queueing an item already queued does nothing; queueing one that is running
makes it run once more when it ends (a pump asked to wake while it finishes).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from bot.store.types import utcnow
from bot.store.work import Work

log = logging.getLogger(__name__)
Run = Callable[[Work], Awaitable[datetime | None]]
DEFAULT_WORKERS: Mapping[str, int] = {"reply": 8, "bulk": 4}


class _Lane:
    def __init__(self) -> None:
        self.heap: list[tuple[datetime, int, Work]] = []
        self.changed = asyncio.Condition()
        self.running = 0


class LocalQueue:
    """:class:`bot.ports.JobQueue` in this process. ``run`` executes one item."""

    def __init__(
        self,
        run: Run,
        *,
        workers: Mapping[str, int] = DEFAULT_WORKERS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._run = run
        self._workers = dict(workers)
        self._clock = clock
        self._lanes: dict[str, _Lane] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._queued: set[str] = set()
        self._running: set[str] = set()
        self._again: set[str] = set()
        self._seq = itertools.count()
        self._closed = False

    async def enqueue(self, work: Sequence[Work]) -> None:
        if self._closed:
            raise RuntimeError("the queue is closed")
        for item in work:
            if item.key in self._running:
                self._again.add(item.key)
            elif item.key not in self._queued:
                await self._push(item, item.at)

    async def _push(self, item: Work, at: datetime | None) -> None:
        lane = self._lane(item.lane)
        self._queued.add(item.key)
        heapq.heappush(lane.heap, (at or self._clock(), next(self._seq), item))
        async with lane.changed:
            lane.changed.notify()

    def _lane(self, name: str) -> _Lane:
        lane = self._lanes.get(name)
        if lane is None:
            lane = self._lanes[name] = _Lane()
            for n in range(self._workers.get(name, 2)):
                task = asyncio.create_task(self._work(lane), name=f"queue-{name}-{n}")
                self._tasks.append(task)
        return lane

    async def _work(self, lane: _Lane) -> None:
        while True:
            item = await self._next(lane)
            self._queued.discard(item.key)
            self._running.add(item.key)
            lane.running += 1
            again: datetime | None = None
            try:
                again = await self._run(item)
            except asyncio.CancelledError:
                raise
            except Exception:  # logged; the database still holds the item for the sweeper
                log.exception("queue item %s failed", item.key)
            finally:
                lane.running -= 1
                self._running.discard(item.key)
            if again is not None or item.key in self._again:
                self._again.discard(item.key)
                await self._push(replace(item, at=again), again)
            async with lane.changed:
                lane.changed.notify_all()

    async def _next(self, lane: _Lane) -> Work:
        async with lane.changed:
            while True:
                if lane.heap:
                    due, _, item = lane.heap[0]
                    wait = (due - self._clock()).total_seconds()
                    if wait <= 0:
                        heapq.heappop(lane.heap)
                        return item
                    # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                    # cancel that lands as the wait completes, and aclose then waited forever
                    # on a worker that never stopped (a CI run hung in test_local_queue)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(min(wait, 1.0)):
                            await lane.changed.wait()
                else:
                    await lane.changed.wait()

    async def depth(self) -> dict[str, int]:
        now = self._clock()
        return {
            name: sum(1 for due, _, _ in lane.heap if due <= now)
            for name, lane in self._lanes.items()
        }

    def idle(self) -> bool:
        """Nothing running and nothing due now (waiting items may be due later)."""
        now = self._clock()
        return all(
            lane.running == 0 and not (lane.heap and lane.heap[0][0] <= now)
            for lane in self._lanes.values()
        )

    async def drain(self, within: float = 30.0) -> None:
        """Wait until :meth:`idle` (tests, benchmarks). TimeoutError after ``within`` s."""
        async with asyncio.timeout(within):
            # idle() depends on the clock as well as on events: look, rather than wait on one
            while not self.idle():  # noqa: ASYNC110
                await asyncio.sleep(0.01)

    async def aclose(self, grace_seconds: float = 10.0) -> None:
        """Stop taking items; let what is due finish for ``grace_seconds``; stop workers.
        Whatever is left stays in the database (the next start's sweeper queues it)."""
        self._closed = True
        try:
            await self.drain(grace_seconds)
        except TimeoutError:
            log.warning("queue closed with work still running; the sweeper resumes it")
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
