"""The retention purge as a job on the queue: it runs at fixed times (every
``BANBOT_RETENTION__PURGE_EVERY_HOURS``, counted from 03:00 in Vietnam), and each run
schedules the next. The job key is its time, so every process that asks for the next run
(:func:`schedule_purge`, called by the sweeper) asks for the same row: one purge per slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.domain.json import JSON
from bot.jobs.registry import JobServices, job
from bot.privacy.retention import purge
from bot.store.repo import Tx

PURGE_JOB = "privacy.purge"
ORIGIN = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)  # 03:00 ICT: the quietest hour


def next_slot(now: datetime, every_hours: int) -> datetime:
    """The first purge time strictly after ``now``."""
    period = timedelta(hours=every_hours)
    passed = (now - ORIGIN) // period
    return ORIGIN + (passed + 1) * period


async def schedule_purge(tx: Tx, now: datetime, settings: Settings) -> None:
    """Make sure the next purge is on the queue (idempotent: one row per time)."""
    at = next_slot(now, settings.retention.purge_every_hours)
    await tx.jobs.add(PURGE_JOB, {}, lane="bulk", run_at=at, key=f"{PURGE_JOB}:{at:%Y%m%dT%H%M}")


@job(PURGE_JOB)
async def purge_job(services: JobServices, tx: Tx, args: JSON) -> None:
    now = services.clock()
    await purge(tx, services.settings.retention, now)
    await schedule_purge(tx, now, services.settings)
