"""What one queue item does, whichever queue runs it.

``run(work)`` returns None when the item is finished, or when it should run again (the queue
schedules that). Everything durable is in the database, so running an item twice is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from structlog.contextvars import bound_contextvars

from bot.jobs.registry import HANDLERS, JobServices
from bot.outbound.retry import RetryPolicy
from bot.outbound.sender import Sender
from bot.store.repo import Store
from bot.store.types import utcnow
from bot.store.work import Work

log = logging.getLogger(__name__)
JOB_RETRY = RetryPolicy(max_attempts=8, base_delay=2.0, max_delay=600.0)


class Runner:
    """Runs sends, bulk pumps and jobs."""

    def __init__(
        self,
        store: Store,
        sender: Sender,
        services: JobServices,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._sender = sender
        self._services = services
        self.services = services  # later parts put what their jobs need in services.extra
        self._clock = clock

    async def run(self, work: Work) -> datetime | None:
        with bound_contextvars(job=work.key):  # log lines say which item they belong to
            if work.what == "send":
                return await self._sender.deliver(work.id)
            if work.what == "pump":
                return await self._sender.pump(str(work.adapter))
            return await self._job(work.id)

    async def _job(self, job_id: int) -> datetime | None:
        async with self._store.read() as tx:
            job = await tx.jobs.get(job_id)
        if job is None or job.status in ("done", "failed"):
            return None
        now = self._clock()
        if job.run_at > now:
            return job.run_at
        handler = HANDLERS.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job {job.kind!r}")
            async with self._store.transaction() as tx:
                taken = await tx.jobs.start(job_id)
                if taken is None:
                    return None  # another worker finished it
                await handler(self._services, tx, taken.args)
                await tx.jobs.finish(job_id)
        except Exception as exc:
            return await self._failed(job_id, job.attempts + 1, job.lane, exc)
        log.info("job %d (%s) done", job_id, job.kind)
        return None

    async def _failed(
        self, job_id: int, attempts: int, lane: str, exc: Exception
    ) -> datetime | None:
        error = f"{type(exc).__name__}: {exc}"
        log.exception("job %d failed (attempt %d)", job_id, attempts)
        async with self._store.transaction() as tx:
            if attempts >= JOB_RETRY.max_attempts:
                await tx.jobs.finish(job_id, error=error, failed=True, attempts=attempts)
                return None
            at = self._clock() + timedelta(seconds=JOB_RETRY.delay(attempts, 0.5))
            await tx.jobs.retry(job_id, run_at=at, error=error, lane=lane, attempts=attempts)
        return at
