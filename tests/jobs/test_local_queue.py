"""The in-process queue (lanes, due times, keys, drain and close) and the Runner's jobs (a
handler's effects commit with its ``done``, retries, once only)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.domain.json import JSON
from bot.domain.messages import Reply
from bot.jobs.local import LocalQueue
from bot.jobs.registry import HANDLERS, JobServices
from bot.jobs.runner import JOB_RETRY, Runner
from bot.store.models import OutboundMessage
from bot.store.repo import Store, Tx
from bot.store.types import utcnow
from bot.store.work import Work
from tests.outbound.harness import FakeTime, bench, fake

REPLY, BULK = Work("send", 1), Work("pump", 0, "bulk", None, "android_sms")


@dataclass
class Items:
    """What the queue ran, when; an item whose key has a gate waits for it."""

    runs: list[tuple[str, datetime]] = field(default_factory=list)
    gates: dict[str, asyncio.Event] = field(default_factory=dict)
    again: dict[str, list[datetime | None]] = field(default_factory=dict)
    fail: set[str] = field(default_factory=set)
    started: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, work: Work) -> datetime | None:
        self.runs.append((work.key, utcnow()))
        self.started.set()
        gate = self.gates.get(work.key)
        if gate is not None:
            await gate.wait()
        if work.key in self.fail:
            raise RuntimeError("boom")
        answers = self.again.get(work.key)
        return answers.pop(0) if answers else None

    def keys(self) -> list[str]:
        return [k for k, _ in self.runs]

    async def ran(self, key: str, times: int = 1, within: float = 2.0) -> None:
        async with asyncio.timeout(within):
            while self.keys().count(key) < times:  # noqa: ASYNC110 - polling a record
                await asyncio.sleep(0.005)


@pytest.fixture
async def items() -> Items:
    return Items()


@pytest.fixture
def queue_of() -> Iterator[Callable[..., LocalQueue]]:
    made: list[LocalQueue] = []

    def make(run: Callable[[Work], Awaitable[datetime | None]], **kw: Any) -> LocalQueue:
        made.append(LocalQueue(run, **kw))
        return made[-1]

    yield make
    for q in made:  # a test that failed half-way must not leave workers running
        for task in q._tasks:
            task.cancel()


class TestLanes:
    async def test_a_blocked_bulk_lane_never_delays_a_reply(
        self, items: Items, queue_of: Callable[..., LocalQueue]
    ) -> None:
        q = queue_of(items, workers={"reply": 1, "bulk": 2})
        pumps = [Work("pump", n, "bulk", None, "android_sms") for n in range(4)]
        for pump in pumps:
            items.gates[pump.key] = asyncio.Event()  # saturated: every bulk worker is stuck
        await q.enqueue(pumps)
        await items.ran(pumps[1].key)
        await q.enqueue([REPLY])
        await items.ran(REPLY.key, within=0.5)
        assert sorted(items.keys()) == sorted([pumps[0].key, pumps[1].key, REPLY.key])
        await q.aclose(0.05)

    async def test_items_run_when_due_earliest_first(
        self, items: Items, queue_of: Callable[..., LocalQueue]
    ) -> None:
        q = queue_of(items, workers={"reply": 1})
        now = utcnow()
        later, soon = now + timedelta(seconds=0.2), now + timedelta(seconds=0.1)
        await q.enqueue([Work("send", 1, at=later), Work("send", 2, at=soon), Work("send", 3)])
        await items.ran("send:1")
        assert items.keys() == ["send:3", "send:2", "send:1"]
        ran = dict(items.runs)
        assert ran["send:2"] >= soon and ran["send:1"] >= later
        await q.aclose(0.1)

    async def test_an_item_that_asks_runs_again_when_it_says(
        self, items: Items, queue_of: Callable[..., LocalQueue]
    ) -> None:
        q = queue_of(items)
        due = utcnow() + timedelta(seconds=0.05)
        items.again[REPLY.key] = [due, None]
        await q.enqueue([REPLY])
        await items.ran(REPLY.key, 2)
        assert items.runs[1][1] >= due
        await q.drain(1)
        assert items.keys() == [REPLY.key, REPLY.key]
        await q.aclose(0.1)


class TestKeys:
    async def test_queueing_an_item_already_queued_does_nothing(
        self, items: Items, queue_of: Callable[..., LocalQueue]
    ) -> None:
        q = queue_of(items, workers={"reply": 1})
        blocker = Work("send", 99)
        items.gates[blocker.key] = asyncio.Event()
        await q.enqueue([blocker])
        await items.ran(blocker.key)
        await q.enqueue([REPLY, REPLY])
        await q.enqueue([REPLY])
        items.gates[blocker.key].set()
        await q.drain(1)
        assert Counter(items.keys()) == Counter({blocker.key: 1, REPLY.key: 1})
        await q.aclose(0.1)

    async def test_queueing_a_running_item_runs_it_once_more(
        self, items: Items, queue_of: Callable[..., LocalQueue]
    ) -> None:
        """A pump woken by new messages while it finishes looks once more."""
        q = queue_of(items)
        gate = items.gates[BULK.key] = asyncio.Event()
        await q.enqueue([BULK])
        await items.ran(BULK.key)
        await q.enqueue([BULK, BULK])
        await q.enqueue([BULK])
        gate.set()
        await items.ran(BULK.key, 2)
        await q.drain(1)
        assert items.keys() == [BULK.key, BULK.key]
        await q.aclose(0.1)

    async def test_a_failing_item_is_logged_and_the_worker_goes_on(
        self,
        items: Items,
        queue_of: Callable[..., LocalQueue],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        q = queue_of(items, workers={"reply": 1})
        items.fail.add(REPLY.key)
        await q.enqueue([REPLY, Work("send", 2)])
        await q.drain(1)
        assert items.keys() == [REPLY.key, "send:2"]
        assert "queue item send:1 failed" in caplog.text
        await q.aclose(0.1)


class TestDrainAndClose:
    async def test_drain_waits_for_running_and_due_items_not_later_ones(
        self, items: Items, queue_of: Callable[..., LocalQueue]
    ) -> None:
        q = queue_of(items)
        gate = items.gates[REPLY.key] = asyncio.Event()
        await q.enqueue([REPLY, Work("send", 2, at=utcnow() + timedelta(hours=1))])
        await items.ran(REPLY.key)
        assert not q.idle()
        with pytest.raises(TimeoutError):
            await q.drain(0.05)
        gate.set()
        await q.drain(1)
        assert q.idle() and items.keys() == [REPLY.key]  # the later one waits in the queue

    async def test_close_refuses_work_lets_running_items_end_and_keeps_later_ones(
        self, items: Items, queue_of: Callable[..., LocalQueue]
    ) -> None:
        q = queue_of(items)
        items.gates[REPLY.key] = gate = asyncio.Event()
        await q.enqueue([REPLY, Work("send", 2, at=utcnow() + timedelta(hours=1))])
        await items.ran(REPLY.key)
        asyncio.get_running_loop().call_later(0.05, gate.set)
        await q.aclose(2)
        assert items.keys() == [REPLY.key]  # ended within the grace; the later one never ran
        with pytest.raises(RuntimeError, match="closed"):
            await q.enqueue([REPLY])

    async def test_close_cancels_what_outlasts_the_grace(
        self,
        items: Items,
        queue_of: Callable[..., LocalQueue],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        q = queue_of(items)
        items.gates[BULK.key] = asyncio.Event()  # never set: a stuck pump
        await q.enqueue([BULK])
        await items.ran(BULK.key)
        await q.aclose(0.05)
        assert "the sweeper resumes it" in caplog.text
        assert all(t.done() for t in q._tasks)


# -- the Runner's jobs ---------------------------------------------------------------------


@dataclass
class Jobs:
    store: Store
    runner: Runner
    time: FakeTime
    calls: list[JSON]
    work: list[tuple[Work, ...]]

    async def add(self, kind: str, args: JSON, **kw: Any) -> int:
        async with self.store.transaction() as tx:
            return (await tx.jobs.add(kind, args, **kw)).id

    async def job(self, job_id: int) -> Any:
        async with self.store.read() as tx:
            return await tx.jobs.get(job_id)


@pytest.fixture
async def jobs(store: Store, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Jobs]:
    """A Runner with two test handlers: ``test.tell`` records a notice to a contact and an
    audit line; ``test.boom`` does the same, then raises."""
    b = bench(store, fake("telegram"))
    b.time.advance(1)  # jobs are stamped with the real clock: be just past them
    calls: list[JSON] = []

    async def tell(services: JobServices, tx: Tx, args: JSON) -> None:
        calls.append(args)
        await asyncio.sleep(0.01)  # long enough for a second runner to come along
        await tx.audit.record(actor="job", action="test.told", target=str(args["contact"]))
        await services.contacts_out.send(tx, args["contact"], [Reply("Tin")], kind="system")

    async def boom(services: JobServices, tx: Tx, args: JSON) -> None:
        await tell(services, tx, args)
        raise ValueError("the gazetteer is down")

    monkeypatch.setitem(HANDLERS, "test.tell", tell)
    monkeypatch.setitem(HANDLERS, "test.boom", boom)
    work: list[tuple[Work, ...]] = []

    async def hook(items: Sequence[Work]) -> None:
        work.append(tuple(items))

    store.on_commit(hook)
    services = JobServices(Settings(env="test"), b.out, lambda *a, **k: "")  # type: ignore[call-arg]
    yield Jobs(store, Runner(store, b.sender, services, clock=b.time), b.time, calls, work)


async def person(store: Store) -> int:
    async with store.transaction() as tx:
        return (await tx.contacts.get_or_create("telegram:1", "telegram", "vi")).id


async def told(store: Store) -> int:
    async with store.read() as tx:
        return len(await tx.audit.recent())


class TestRunnerJobs:
    async def test_a_handlers_effects_and_its_done_commit_together(self, jobs: Jobs) -> None:
        cid = await person(jobs.store)
        ok = await jobs.add("test.tell", {"contact": cid})
        jobs.work.clear()
        assert await jobs.runner.run(Work("job", ok)) is None
        done = await jobs.job(ok)
        assert (done.status, done.attempts) == ("done", 1)
        assert await told(jobs.store) == 1
        assert [w.what for ws in jobs.work for w in ws] == ["send"]  # after the commit

    async def test_a_raising_handler_leaves_nothing_behind(self, jobs: Jobs) -> None:
        cid = await person(jobs.store)
        bad = await jobs.add("test.boom", {"contact": cid})
        jobs.work.clear()
        again = await jobs.runner.run(Work("job", bad))
        assert again == jobs.time() + timedelta(seconds=JOB_RETRY.delay(1, 0.5))
        job = await jobs.job(bad)
        assert (job.status, job.attempts, job.run_at) == ("pending", 1, again)
        assert job.last_error == "ValueError: the gazetteer is down"
        assert await told(jobs.store) == 0  # its writes rolled back...
        assert [w.what for ws in jobs.work for w in ws] == ["job"]  # ...no send queued

    async def test_a_raising_handler_is_retried_with_backoff_then_failed(self, jobs: Jobs) -> None:
        cid = await person(jobs.store)
        bad = await jobs.add("test.boom", {"contact": cid})
        waits = []
        while (again := await jobs.runner.run(Work("job", bad))) is not None:
            waits.append((again - jobs.time()).total_seconds())
            assert await jobs.runner.run(Work("job", bad)) == again  # not due: nothing runs
            jobs.time.to(again)
        expected = [JOB_RETRY.delay(n, 0.5) for n in range(1, JOB_RETRY.max_attempts)]
        assert waits == expected and expected[:3] == [1.5, 3.0, 6.0]
        job = await jobs.job(bad)
        assert (job.status, job.attempts) == ("failed", JOB_RETRY.max_attempts)
        assert len(jobs.calls) == JOB_RETRY.max_attempts
        assert await jobs.runner.run(Work("job", bad)) is None  # failed stays failed

    async def test_a_job_not_due_waits(self, jobs: Jobs) -> None:
        at = jobs.time() + timedelta(minutes=10)
        later = await jobs.add("test.tell", {"contact": 1}, run_at=at)
        assert await jobs.runner.run(Work("job", later)) == at and jobs.calls == []

    async def test_an_unknown_job_kind_is_retried_like_a_failure(self, jobs: Jobs) -> None:
        orphan = await jobs.add("test.nobody", {})
        assert await jobs.runner.run(Work("job", orphan)) is not None
        job = await jobs.job(orphan)
        assert job.status == "pending" and "no handler for job 'test.nobody'" in job.last_error

    async def test_a_job_runs_once_even_if_queued_twice(
        self, jobs: Jobs, queue_of: Callable[..., LocalQueue]
    ) -> None:
        cid = await person(jobs.store)
        one = await jobs.add("test.tell", {"contact": cid, "n": 1})
        two = await jobs.add("test.tell", {"contact": cid, "n": 2})
        # two processes run the same job at once: one does it, the other finds it done
        await asyncio.gather(jobs.runner.run(Work("job", one)), jobs.runner.run(Work("job", one)))
        # one queue, the same item queued twice (the commit's hook and the sweeper)
        q = queue_of(jobs.runner.run, clock=jobs.time)
        await q.enqueue([Work("job", two), Work("job", two)])
        await q.enqueue([Work("job", two)])
        await q.drain(5)
        await q.aclose(1)
        assert await told(jobs.store) == 2
        assert (await jobs.job(one)).attempts == 1 and (await jobs.job(two)).attempts == 1
        async with jobs.store.engine.connect() as conn:
            messages = await conn.scalar(select(func.count()).select_from(OutboundMessage))
        assert messages == 2  # one per job
