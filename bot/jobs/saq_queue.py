"""The distributed queue on Redis: saq, two queues (``banbot-reply``, ``banbot-bulk``).

The app processes only enqueue; ``banbot worker`` processes run the items (any number of them,
sharing both queues and the send limits). Each item is one saq job named ``run`` whose key is
the item's key, so queueing an item twice while it is waiting or running does nothing. A job
whose worker was killed is found by saq's sweep once its heartbeat stops and is run again; the
database sweeper (:mod:`bot.jobs.sweeper`) covers the rest (a crash between commit and queue).

An item that must wait (a send limit, a retry) ends and queues its next run under its other
key: ``<key>@again`` when it ran as ``<key>``, else ``<key>`` (saq refuses a key that is still
running). Two keys, not one per run: a pump that spends its time budget asks to run again, and
the sweeper queues ``<key>`` whenever bulk messages wait; with a fresh key per run
(``<key>@<time>``, before) each minute added one more copy of every pump until the copies
filled the bulk lane and the other adapters' pumps waited minutes for a turn.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from saq import Queue, Worker
from saq.types import Context, TimersDict

from bot.jobs.runner import Runner
from bot.store.work import Work

log = logging.getLogger(__name__)
LANES = ("reply", "bulk")
JOB_TIMEOUT = 600  # seconds: a pump may run long; a stuck one is retried by the sweep
HEARTBEAT = 15  # at most: seconds without a heartbeat before saq's sweep retries a job
TIMERS: TimersDict = {"schedule": 1, "worker_info": 10, "sweep": 5, "abort": 1}
# saq's sweep asks each stuck job to abort and waits up to this long for its worker to say so,
# one job after another (saq's default: 5 s). A killed worker never answers: with its 60
# items active, they came back one per 5 s sweep, five minutes in all. A live worker whose
# item missed its heartbeats is not waited for either: the item runs again, and a row is sent
# once whoever runs it (``Outbound.start_sending``).
SWEEP_ABORT_WAIT = 0.1


def queue_name(prefix: str, lane: str) -> str:
    return f"{prefix}-{lane}"


class ItemContext(Context, total=False):
    """saq's job context plus what the worker command puts in at start-up."""

    runner: Runner
    saq_queue: SaqQueue


class SaqQueue:
    """:class:`bot.ports.JobQueue` on Redis (the enqueueing side)."""

    def __init__(self, redis_url: str, *, name: str = "banbot", heartbeat: int = HEARTBEAT) -> None:
        self.heartbeat = heartbeat
        self.queues: dict[str, Queue] = {
            lane: Queue.from_url(redis_url, name=queue_name(name, lane)) for lane in LANES
        }
        for q in self.queues.values():  # what a worker's sweep timer calls
            q.sweep = functools.partial(q.sweep, abort=SWEEP_ABORT_WAIT)  # type: ignore[method-assign]

    async def connect(self) -> None:
        for q in self.queues.values():
            await q.connect()

    async def enqueue(self, work: Sequence[Work]) -> None:
        for item in work:
            await self._put(item, item.key)

    async def _put(self, item: Work, key: str) -> None:
        queue = self.queues["bulk" if item.lane == "bulk" else "reply"]
        await queue.enqueue(
            "run",
            key=key,
            scheduled=_scheduled(item.at),
            timeout=JOB_TIMEOUT,
            heartbeat=self.heartbeat,
            retries=3,
            ttl=60,
            what=item.what,
            id=item.id,
            lane=item.lane,
            adapter=item.adapter,
        )

    async def again(self, item: Work, at: datetime, *, running: str | None = None) -> None:
        """Queue the next run of an item running under the saq key ``running`` (default: its
        own key), under its other key (see the module docstring)."""
        other = f"{item.key}@again" if (running or item.key) == item.key else item.key
        await self._put(replace(item, at=at), other)

    async def depth(self) -> dict[str, int]:
        """saq's ``queued`` count per lane (due and not yet taken by a worker)."""
        return {lane: await q.count("queued") for lane, q in self.queues.items()}

    async def aclose(self, grace_seconds: float = 10.0) -> None:
        for q in self.queues.values():
            await q.disconnect()


def _scheduled(at: datetime | None) -> int:
    """saq's due time: 0 (at once) for an item due now or before; else in whole seconds,
    rounded up — rounded down, an item ran up to 1 s before its time."""
    if at is None or at.timestamp() <= time.time():
        return 0
    return math.ceil(at.timestamp())


async def run_item(ctx: ItemContext, *, what: str, id: int, lane: str, adapter: str | None) -> None:
    """The saq job function: run one item; queue its next run if it asks for one."""
    runner = ctx["runner"]
    queue = ctx["saq_queue"]
    item = Work(what, id, lane, None, adapter)  # type: ignore[arg-type]
    job = ctx.get("job")
    beat = asyncio.create_task(_beat(job, queue.heartbeat)) if job is not None else None
    try:
        again = await runner.run(item)
    finally:
        if beat is not None:
            beat.cancel()
    if again is not None:
        await queue.again(item, again, running=job.key if job is not None else None)


async def _beat(job: Any, every: int) -> None:
    """Keep a long item (a pump) alive in saq's eyes while it works."""
    while True:
        await asyncio.sleep(every / 3)
        await job.update()


def workers(
    queue: SaqQueue, runner: Runner, *, concurrency: Mapping[str, int]
) -> list[Worker[ItemContext]]:
    """One saq worker per lane, running :func:`run_item`."""

    async def startup(ctx: ItemContext) -> None:
        ctx["runner"] = runner
        ctx["saq_queue"] = queue

    made = []
    for lane in LANES:
        worker = Worker(
            queue.queues[lane],
            functions=[("run", run_item)],
            concurrency=concurrency.get(lane, 4),
            startup=startup,
            timers=TIMERS,
        )
        worker.SIGNALS = []  # the worker command handles signals once, for both lanes
        made.append(worker)
    return made


async def serve(workers: Sequence[Worker[ItemContext]], stop: asyncio.Event) -> None:
    """Run ``workers`` until SIGINT / SIGTERM or ``stop``."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    tasks = [asyncio.create_task(w.start()) for w in workers]
    await stop.wait()
    await asyncio.gather(*(w.stop() for w in workers), return_exceptions=True)
    await asyncio.gather(*tasks, return_exceptions=True)
