"""The notice jobs: plan at the chosen time, then watch until every message has ended and tell
the sender how it went. Both run inside the transaction that marks them done (registry)."""

from __future__ import annotations

import logging

from bot.domain.json import JSON
from bot.domain.messages import Reply
from bot.jobs.registry import JobServices, job
from bot.notices.service import PLAN_JOB, WATCH_JOB, Notices, watch_after
from bot.store.repo import Tx

log = logging.getLogger(__name__)


@job(PLAN_JOB)
async def plan_notice(services: JobServices, tx: Tx, args: JSON) -> None:
    notices: Notices = services.extra["notices"]
    notice = await tx.notices.get(int(args["notice_id"]))
    if notice is None or notice.status not in ("scheduled", "planning"):
        return  # cancelled, or planned already
    reached = await notices.planner.plan(tx, notice, now=services.clock())
    await tx.notices.set_status(
        notice.id, "sending", planned=reached, only_from=("scheduled", "planning")
    )
    await _watch(services, tx, notice.id, 0)
    log.info("notice %d planned for %d people", notice.id, reached)


@job(WATCH_JOB)
async def watch_notice(services: JobServices, tx: Tx, args: JSON) -> None:
    notice = await tx.notices.get(int(args["notice_id"]))
    if notice is None or notice.status != "sending":
        return
    progress = await tx.notices.progress(notice)
    if progress.waiting:
        await _watch(services, tx, notice.id, int(args.get("n", 0)) + 1)
        return
    await tx.notices.set_status(notice.id, "done", only_from=("sending",))
    if notice.sender_contact_id is not None:
        sender = await tx.contacts.get(notice.sender_contact_id)
        language = sender.language if sender else "vi"
        words = services.texts(
            "notice.summary", language, id=notice.id, sent=progress.sent,
            planned=progress.planned, failed=progress.failed, skipped=progress.skipped,
        )  # fmt: skip
        if progress.maybe_twice:
            words += services.texts("notice.summary.twice", language, n=progress.maybe_twice)
        await services.contacts_out.send(
            tx, notice.sender_contact_id, [Reply(words)], kind="system",
            key=f"notice:{notice.id}:summary",
        )  # fmt: skip
    log.info("notice %d done: %s", notice.id, progress.as_json())


async def _watch(services: JobServices, tx: Tx, notice_id: int, n: int) -> None:
    await tx.jobs.add(
        WATCH_JOB, {"notice_id": notice_id, "n": n}, lane="bulk",
        run_at=watch_after(services.clock(), services.settings.notice_watch_seconds),
        key=f"notice:{notice_id}:watch:{n}",
    )  # fmt: skip
