"""The retention purge on the job queue: the sweeper keeps its next run there (one row per
time, whoever asks), the job purges with the frozen clock and schedules the next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import select

from bot.jobs.sweeper import PERIODIC_EVERY, Sweeper
from bot.privacy.jobs import PURGE_JOB, next_slot, schedule_purge
from bot.store.models import JobRow
from bot.store.records import JobRecord
from bot.store.repo import Store
from tests.jobs.test_sweeper import Recorded
from tests.support.jobrig import JobRig, job_rig

DAY = timedelta(days=1)


async def purge_jobs(store: Store) -> list[JobRecord]:
    async with store.read() as tx:
        ids = await tx.session.scalars(
            select(JobRow.id).where(JobRow.kind == PURGE_JOB).order_by(JobRow.run_at)
        )
        return [job for i in list(ids) if (job := await tx.jobs.get(i)) is not None]


def test_purge_times_are_fixed_slots_at_three_in_the_morning_in_vietnam() -> None:
    morning = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert next_slot(morning, 24) == datetime(2026, 12, 2, 20, 0, tzinfo=UTC)  # 03:00 ICT
    assert next_slot(datetime(2026, 12, 2, 20, 0, tzinfo=UTC), 24) == datetime(
        2026, 12, 3, 20, 0, tzinfo=UTC
    )
    assert next_slot(morning, 6) == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


async def test_sweepers_keep_one_next_purge_on_the_queue(tmp_path: Path) -> None:
    rig = await job_rig(tmp_path)
    try:
        settings = rig.runner.services.settings
        ensure = [partial(schedule_purge, settings=settings)]
        one = Sweeper(rig.store, Recorded(), clock=rig.clock, periodic=ensure)
        two = Sweeper(rig.store, Recorded(), clock=rig.clock, periodic=ensure)  # another process
        await one.sweep()
        await two.sweep()
        rig.clock.now += PERIODIC_EVERY
        await one.sweep()
        [job] = await purge_jobs(rig.store)
        assert job.run_at == next_slot(rig.clock(), settings.retention.purge_every_hours)
        assert job.status == "pending" and job.lane == "bulk"
    finally:
        await rig.store.close()


async def seed_old_messages(rig: JobRig) -> int:
    cid = await rig.person("hoa")
    async with rig.store.transaction() as tx:
        for age in (200, 10):
            await tx.messages.log_inbound(
                contact_id=cid, adapter="sim", urn="sim:hoa", text=f"{age} ngày trước",
                at=rig.clock() - age * DAY,
            )  # fmt: skip
    return cid


async def test_the_purge_job_applies_the_retention_and_schedules_the_next(tmp_path: Path) -> None:
    rig = await job_rig(tmp_path)
    try:
        cid = await seed_old_messages(rig)
        settings = rig.runner.services.settings
        async with rig.store.transaction() as tx:
            await schedule_purge(tx, rig.clock(), settings)
        assert await rig.run_due() == 0  # not yet
        [first] = await purge_jobs(rig.store)
        rig.clock.now = first.run_at
        assert await rig.run_due() == 1
        async with rig.store.read() as tx:
            held = await tx.privacy.holdings(cid)
            audit = await tx.audit.recent(actor="system", action="privacy.purged", limit=5)
        assert held.messages_kept == 1  # 180 days by default: the 200-day-old one went
        assert audit[0].detail == {"inbound_deleted": 1, "outbound_redacted": 0,
                                   "reports_anonymised": 0}  # fmt: skip
        done, following = await purge_jobs(rig.store)
        assert done.status == "done" and following.status == "pending"
        assert following.run_at == first.run_at + timedelta(hours=24)
    finally:
        await rig.store.close()
