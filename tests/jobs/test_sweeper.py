"""The sweeper: what a crash leaves in the database is queued again, and what waits is not.

Rows are stamped by the store with the real clock, so the sweeper's clock is the real now
moved on by the test."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from bot.domain.json import JSON
from bot.domain.messages import Reply
from bot.jobs.local import LocalQueue
from bot.jobs.registry import HANDLERS, JobServices
from bot.jobs.runner import Runner
from bot.jobs.sweeper import GRACE, Sweeper
from bot.outbound.sender import STALE_SENDING
from bot.store.models import OutboundMessage
from bot.store.repo import Store, Tx
from bot.store.types import utcnow
from bot.store.work import Work
from tests.outbound.harness import bench, fake

HOUR = timedelta(hours=1)


class Recorded:
    """A JobQueue that only records what it is given."""

    def __init__(self) -> None:
        self.work: list[Work] = []

    async def enqueue(self, work: Sequence[Work]) -> None:
        self.work.extend(work)

    async def depth(self) -> dict[str, int]:
        return {"reply": len(self.work)}

    async def aclose(self, grace_seconds: float = 10.0) -> None:
        return None


async def message(store: Store, urn: str, lane: str = "reply", **kw: object) -> int:
    adapter = "android_sms" if urn.startswith("tel:") else urn.split(":")[0]
    async with store.transaction() as tx:
        return await tx.outbound.create(
            contact_id=None, adapter=adapter, urn=urn, text=urn, rendering="telegram",
            priority=lane, kind="notice" if lane == "bulk" else "reply", **kw,  # type: ignore[arg-type]
        )  # fmt: skip


async def sweep_at(store: Store, at: datetime, *, grace: timedelta | None = None) -> list[Work]:
    queue = Recorded()
    await Sweeper(store, queue, pumps=2, clock=lambda: at).sweep(grace=grace)
    return queue.work


class TestWhatIsSwept:
    async def test_a_crash_leaves_replies_sends_pumps_and_jobs_to_queue_again(
        self, store: Store
    ) -> None:
        t0 = utcnow()
        lost = await message(store, "telegram:1")
        waiting = await message(store, "telegram:2", not_before=t0 + HOUR)
        in_flight = await message(store, "telegram:3")
        sent = await message(store, "telegram:4")
        await message(store, "telegram:5", lane="bulk")
        await message(store, "tel:+84912345678", lane="bulk", not_before=t0 + HOUR)
        async with store.transaction() as tx:
            assert await tx.outbound.start_sending(in_flight, stale_before=t0)
            assert await tx.outbound.start_sending(sent, stale_before=t0)
            await tx.outbound.mark_sent(sent, external_id="x", segments=None, attempts=1)
            due = (await tx.jobs.add("a.job", {})).id
            await tx.jobs.add("a.later.job", {}, run_at=t0 + HOUR)
            done = (await tx.jobs.add("a.done.job", {})).id
            await tx.jobs.finish(done)

        # within the grace nothing is lost yet (the queue has it); bulk always has a pump
        soon = await sweep_at(store, t0 + GRACE / 3)
        assert {w.key for w in soon} == {"pump:telegram:0", "pump:telegram:1",
                                         "pump:android_sms:0", "pump:android_sms:1"}  # fmt: skip
        # past the grace: untouched replies and due jobs; the in-flight one is not stale yet
        later = t0 + GRACE + timedelta(seconds=1)
        swept = await sweep_at(store, later)
        assert [w for w in swept if w.what != "pump"] == [
            Work("send", lost, "reply"), Work("job", due, "reply"),
        ]  # fmt: skip
        pumps = {w.key: w.at for w in swept if w.what == "pump"}
        assert pumps == {
            "pump:telegram:0": None, "pump:telegram:1": None,  # due now
            "pump:android_sms:0": t0 + HOUR, "pump:android_sms:1": t0 + HOUR,  # when due
        }  # fmt: skip
        # its sender is presumed dead once the row is stale: the one resend
        stale = await sweep_at(store, t0 + STALE_SENDING + timedelta(seconds=1))
        assert [w.id for w in stale if w.what == "send"] == [lost, in_flight]
        assert waiting not in [w.id for w in stale]
        # the waiting reply comes back only once its time has passed by more than the grace
        past = await sweep_at(store, t0 + HOUR + GRACE + timedelta(seconds=1))
        assert waiting in [w.id for w in past if w.what == "send"]

    async def test_at_start_there_is_no_grace(self, store: Store) -> None:
        fresh = await message(store, "telegram:1")
        async with store.transaction() as tx:
            job = (await tx.jobs.add("a.job", {})).id
        now = utcnow() + timedelta(milliseconds=1)
        assert await sweep_at(store, now) == []
        assert await sweep_at(store, now, grace=timedelta(0)) == [
            Work("send", fresh, "reply"), Work("job", job, "reply"),
        ]  # fmt: skip

    async def test_run_sweeps_at_once_then_every_interval_until_stopped(self, store: Store) -> None:
        fresh = await message(store, "telegram:1")
        queue, stop = Recorded(), asyncio.Event()
        sweeper = Sweeper(store, queue, clock=lambda: utcnow() + timedelta(milliseconds=1))
        task = asyncio.create_task(sweeper.run(stop, interval=0.01))
        async with asyncio.timeout(2):
            while not queue.work:  # noqa: ASYNC110 - polling a record
                await asyncio.sleep(0.005)
        stop.set()
        await asyncio.wait_for(task, 1)
        assert queue.work[0] == Work("send", fresh, "reply")  # the first sweep had no grace


async def tell(services: JobServices, tx: Tx, args: JSON) -> None:
    await services.contacts_out.send(tx, args["contact"], [Reply("from a job")], kind="alert")


async def test_after_a_crash_the_sweep_at_start_sends_everything_left(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The work of committed transactions never reached a queue (the process died after the
    commit; one message was in flight). A new process sweeps at start: all of it goes out,
    the waiting message waits, nothing goes twice but the one in flight."""
    monkeypatch.setitem(HANDLERS, "test.tell", tell)
    t0 = utcnow()
    # no on_commit hook: the queue never heard of any of this
    replies = [await message(store, f"telegram:{n}") for n in range(3)]
    for n in (3, 4):
        await message(store, f"telegram:{n}", lane="bulk")
    await message(store, "telegram:5", not_before=t0 + HOUR)
    async with store.transaction() as tx:
        resident = await tx.contacts.get_or_create("telegram:0", "telegram", "vi")
        await tx.jobs.add("test.tell", {"contact": resident.id})
        assert await tx.outbound.start_sending(replies[0], stale_before=t0)  # in flight
        # ... when the process died, long enough ago for its sender to be presumed dead
        await tx.session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == replies[0])
            .values(updated_at=t0 - STALE_SENDING - timedelta(seconds=1))
        )
    tg = fake("telegram")
    b = bench(store, tg)
    runner = Runner(store, b.sender, JobServices(None, b.out, str), clock=b.time)  # type: ignore[arg-type]
    queue = LocalQueue(runner.run, clock=b.time)
    store.on_commit(queue.enqueue)
    try:
        assert await Sweeper(store, queue, clock=b.time).sweep(grace=timedelta(0)) > 0
        await queue.drain(10)
    finally:
        await queue.aclose(1)
    assert sorted(m.text for m in tg.sent) == [
        "from a job", "telegram:0", "telegram:1", "telegram:2", "telegram:3", "telegram:4",
    ]  # fmt: skip
