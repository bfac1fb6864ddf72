"""Jobs: work a transaction asks for that must run only after it commits.

A job row is written inside the asking transaction (so it exists exactly when the change that
asked for it does), handed to the queue after commit, and re-queued by the sweeper if a crash
came in between. Handlers may therefore run a job twice and must be idempotent; ``key`` keeps a
job from being asked for twice ("alert report 12, step 1").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import JobRow
from bot.store.records import PRIORITIES, JobRecord
from bot.store.types import utcnow
from bot.store.work import Work


def _record(row: JobRow) -> JobRecord:
    return JobRecord(
        id=row.id,
        kind=row.kind,
        args=dict(row.args),
        lane=row.lane,
        key=row.key,
        run_at=row.run_at,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
    )


class JobRepo:
    """Jobs inside one transaction."""

    def __init__(self, session: AsyncSession, work: list[Work] | None = None) -> None:
        self._s = session
        self._work = work if work is not None else []

    async def add(
        self,
        kind: str,
        args: Mapping[str, Any],
        *,
        lane: str = "reply",
        run_at: datetime | None = None,
        key: str | None = None,
    ) -> JobRecord:
        """A new ``pending`` job (or the existing one with the same ``key``)."""
        if lane not in PRIORITIES:
            raise ValueError(f"unknown lane {lane!r}")
        if key is not None:
            found = await self._s.scalar(select(JobRow).where(JobRow.key == key))
            if found is not None:
                return _record(found)
        now = utcnow()
        row = JobRow(
            kind=kind, args=dict(args), lane=lane, key=key, run_at=run_at or now,
            status="pending", attempts=0, created_at=now, updated_at=now,
        )  # fmt: skip
        self._s.add(row)
        await self._s.flush()
        self._work.append(Work("job", row.id, lane, row.run_at))
        return _record(row)

    async def get(self, job_id: int) -> JobRecord | None:
        row = await self._s.get(JobRow, job_id, populate_existing=True)
        return None if row is None else _record(row)

    async def start(self, job_id: int) -> JobRecord | None:
        """Take a pending (or crashed ``running``) job for one run; None if it is finished."""
        moved = await self._s.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_(("pending", "running")))
            .values(status="running", attempts=JobRow.attempts + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if not cast(CursorResult[Any], moved).rowcount:
            return None
        return await self.get(job_id)

    async def finish(
        self,
        job_id: int,
        *,
        error: str | None = None,
        failed: bool = False,
        attempts: int | None = None,
    ) -> None:
        """``done``, or ``failed`` for good with the reason."""
        values: dict[str, object] = {
            "status": "failed" if failed else "done",
            "last_error": None if error is None else error[:200],
            "updated_at": utcnow(),
        }
        if attempts is not None:
            values["attempts"] = attempts
        await self._s.execute(
            update(JobRow)
            .where(JobRow.id == job_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def retry(
        self,
        job_id: int,
        *,
        run_at: datetime,
        error: str,
        lane: str,
        attempts: int | None = None,
    ) -> None:
        """Back to ``pending`` to run again at ``run_at`` (a handler raised)."""
        self._work.append(Work("job", job_id, lane, run_at))
        values: dict[str, object] = {
            "status": "pending",
            "run_at": run_at,
            "last_error": error[:200],
            "updated_at": utcnow(),
        }
        if attempts is not None:
            values["attempts"] = attempts
        await self._s.execute(
            update(JobRow)
            .where(JobRow.id == job_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def cancel(self, key: str) -> bool:
        """Mark a pending job ``done`` without running it (an escalation no longer needed)."""
        moved = await self._s.execute(
            update(JobRow)
            .where(JobRow.key == key, JobRow.status == "pending")
            .values(status="done", last_error="cancelled", updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(cast(CursorResult[Any], moved).rowcount)

    async def due(
        self, *, now: datetime, stale_running: datetime, limit: int = 1000
    ) -> list[JobRecord]:
        """Jobs to (re)queue: pending and due, or ``running`` since before ``stale_running``
        (their worker died)."""
        rows = await self._s.scalars(
            select(JobRow)
            .where(
                ((JobRow.status == "pending") & (JobRow.run_at <= now))
                | ((JobRow.status == "running") & (JobRow.updated_at < stale_running))
            )
            .order_by(JobRow.run_at, JobRow.id)
            .limit(limit)
        )
        return [_record(r) for r in rows]
