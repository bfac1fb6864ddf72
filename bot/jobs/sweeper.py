"""The sweeper: whatever the database says is unfinished gets queued again.

A crash can fall between a commit and the queueing of its work, or in the middle of a send
(the row stays ``sending``), or kill a worker holding queue items. The database holds every
such item, so a periodic look at it is enough: reply-lane messages untouched (and not waiting)
for ``grace``, ``sending`` rows whose sender is presumed dead, adapters with bulk messages
waiting (their pumps), and due jobs. Queueing is idempotent, so sweeping what is in fact still
queued costs nothing; at start-up the sweep runs with no grace.

``periodic``: functions that make sure a recurring job (the retention purge) is on the queue,
called in a transaction at the first sweep and then every ``PERIODIC_EVERY``; each adds its
next run under a key of its own, so several processes asking add it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from bot.outbound.sender import STALE_SENDING
from bot.ports import JobQueue
from bot.store.repo import Store, Tx
from bot.store.types import utcnow
from bot.store.work import Work

log = logging.getLogger(__name__)
GRACE = timedelta(seconds=30)
PERIODIC_EVERY = timedelta(minutes=10)
Periodic = Callable[[Tx, datetime], Awaitable[None]]  # (tx, now): add the next run if missing


class Sweeper:
    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        *,
        pumps: int = 1,
        grace: timedelta = GRACE,
        stale: timedelta = STALE_SENDING,
        clock: Callable[[], datetime] = utcnow,
        periodic: Sequence[Periodic] = (),
    ) -> None:
        self._store = store
        self._periodic = tuple(periodic)
        self._periodic_at: datetime | None = None
        self._queue = queue
        self._pumps = pumps
        self._grace = grace
        self._stale = stale
        self._clock = clock

    async def sweep(self, *, grace: timedelta | None = None) -> int:
        """Queue what is unfinished; returns how many items were handed to the queue."""
        now = self._clock()
        grace = self._grace if grace is None else grace
        if self._periodic and (
            self._periodic_at is None or now - self._periodic_at >= PERIODIC_EVERY
        ):
            async with self._store.transaction() as tx:  # its jobs are queued on commit
                for ensure in self._periodic:
                    await ensure(tx, now)
            self._periodic_at = now
        async with self._store.read() as tx:
            replies = await tx.outbound.lost_replies(
                older_than=now - grace, stale_sending=now - self._stale
            )
            bulk = await tx.outbound.bulk_waiting(now=now)
            jobs = await tx.jobs.due(now=now - grace, stale_running=now - self._stale)
        work = [Work("send", i, "reply") for i in replies]
        work += [
            Work("pump", n, "bulk", at, adapter)
            for adapter, at in bulk.items()
            for n in range(self._pumps)
        ]
        work += [Work("job", j.id, j.lane, None) for j in jobs]
        if work:
            await self._queue.enqueue(work)
        if replies or jobs:
            log.info("sweeper queued %d message(s) and %d job(s)", len(replies), len(jobs))
        return len(work)

    async def run(self, stop: asyncio.Event, interval: float = 5.0) -> None:
        """Sweep at start (no grace), then every ``interval`` seconds until ``stop``."""
        first = True
        while not stop.is_set():
            try:
                await self.sweep(grace=timedelta(0) if first else None)
                first = False
            except Exception:  # a database hiccup must not stop the sweeping
                log.exception("sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
