"""The saq queue's side of the contract that the SIGKILL test does not reach: an item never
becomes due before its time, and an item that runs and asks to run again is queued again.
Real Redis, no worker: the jobs are read back from saq."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from saq.job import Status

from bot.jobs.runner import Runner
from bot.jobs.saq_queue import ItemContext, SaqQueue, run_item
from bot.store.work import Work
from tests.jobs.conftest import unique_queue

pytestmark = pytest.mark.redis


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[SaqQueue]:
    q = SaqQueue(redis_url, name=unique_queue())
    await q.connect()
    try:
        yield q
    finally:
        for lane in q.queues.values():
            keys = [k async for k in lane.redis.scan_iter(match=f"saq:*{lane.name}*")]
            if keys:
                await lane.redis.delete(*keys)
        await q.aclose()


class AsksAgain:
    """A runner whose item ran early: it asks to run at ``at``, like a send not yet due."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.ran: list[Work] = []

    async def run(self, work: Work) -> datetime | None:
        self.ran.append(work)
        return self.at


async def test_an_item_is_never_due_before_its_time(queue: SaqQueue) -> None:
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30, milliseconds=500)
    await queue.enqueue([Work("send", 7, at=at)])
    job = await queue.queues["reply"].job("send:7")
    assert job is not None and job.kwargs == {
        "what": "send", "id": 7, "lane": "reply", "adapter": None,
    }  # fmt: skip
    # saq makes a job due at whole seconds: rounding down ran it up to 1 s early
    assert job.scheduled == math.ceil(at.timestamp()) >= at.timestamp()


async def test_an_item_due_now_is_queued_at_once(queue: SaqQueue) -> None:
    past = datetime.now(UTC) - timedelta(seconds=5)
    await queue.enqueue([Work("send", 8, at=past), Work("send", 9)])
    for key in ("send:8", "send:9"):
        job = await queue.queues["reply"].job(key)
        assert job is not None and job.scheduled == 0  # not left for the next schedule tick
    assert await queue.queues["reply"].count("queued") == 2


async def test_depth_counts_what_is_due_and_not_taken(queue: SaqQueue) -> None:
    later = datetime.now(UTC) + timedelta(minutes=5)
    await queue.enqueue([Work("send", 1), Work("send", 2), Work("send", 3, at=later)])
    await queue.enqueue([Work("pump", 0, "bulk", None, "zalo")])
    assert await queue.depth() == {"reply": 2, "bulk": 1}  # the one due later is not waiting


async def test_an_item_that_asks_runs_again_under_its_other_key(queue: SaqQueue) -> None:
    """A send whose row waits asks for the row's ``not_before``: the next run is queued under
    the item's other key, due no earlier. (Due earlier, it would find the row still waiting
    and ask for the same time under the same key, which saq refuses while that job runs: the
    message would then wait for the sweeper, 30 s and more.)"""
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30, milliseconds=500)
    runner = AsksAgain(at)
    await queue.enqueue([Work("send", 7, at=at)])
    running = await queue.queues["reply"].job("send:7")
    assert running is not None
    ctx = cast(ItemContext, {"runner": cast(Runner, runner), "saq_queue": queue})
    await run_item(ctx, **cast(dict[str, Any], running.kwargs))
    assert [w.key for w in runner.ran] == ["send:7"]
    again = await queue.queues["reply"].job("send:7@again")
    assert again is not None and again.scheduled >= at.timestamp()


async def test_a_pump_that_keeps_asking_never_has_more_than_two_copies(queue: SaqQueue) -> None:
    """A pump spends its budget every minute and asks to run again while the sweeper queues
    its plain key: the runs alternate between two keys, so copies never pile up (one fresh
    key per run once filled the bulk lane with copies of one pump)."""
    runner = AsksAgain(datetime.now(UTC) + timedelta(seconds=60))
    bulk = queue.queues["bulk"]
    pump = Work("pump", 0, "bulk", None, "zalo")

    async def waiting() -> set[str]:
        ids = await bulk.redis.zrange(bulk.namespace("incomplete"), 0, -1)
        return {bulk.job_key_from_id(i.decode()) for i in ids}

    await queue.enqueue([pump])
    for _ in range(4):
        for key in sorted(await waiting()):
            job = await bulk.job(key)
            assert job is not None
            await job.finish(Status.COMPLETE)  # as saq does when the function returns
            ctx = {"runner": cast(Runner, runner), "saq_queue": queue, "job": job}
            await run_item(cast(ItemContext, ctx), **cast(dict[str, Any], job.kwargs))
        await queue.enqueue([pump])  # the sweeper: bulk messages wait
    assert len(runner.ran) >= 4
    assert await waiting() <= {"pump:zalo:0", "pump:zalo:0@again"}
