"""Sending a notice, for the chat flow, the workspace and the API alike: scope, audit, the
notice row and its plan job (at the chosen time), a preview, progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.notices.planner import Planner, Preview
from bot.notices.scope import NoticeSender, OutOfScope, resolve
from bot.ports import PlaceLookup
from bot.store.notices import NoticeRecord, Progress
from bot.store.records import TOPICS
from bot.store.repo import Tx
from bot.store.types import utcnow

PLAN_JOB = "notice.plan"
WATCH_JOB = "notice.watch"
MAX_TEXT = 1000


@dataclass(frozen=True, slots=True)
class Draft:
    topic: str
    text: str
    commune_code: str | None = None
    village_ids: Sequence[str] = ()
    send_at: datetime | None = None  # None: now
    ask_safety: bool = False
    unaccented: bool = False


class Notices:
    def __init__(self, planner: Planner, places: PlaceLookup) -> None:
        self.planner = planner
        self._places = places

    def _check(self, sender: NoticeSender, draft: Draft) -> tuple[str | None, tuple[str, ...]]:
        if draft.topic not in TOPICS:
            raise ValueError(f"unknown topic {draft.topic!r}")
        if not draft.text.strip() or len(draft.text) > MAX_TEXT:
            raise ValueError(f"the text must be 1-{MAX_TEXT} characters")
        return resolve(sender, self._places, draft.commune_code, draft.village_ids)

    async def create(
        self, tx: Tx, sender: NoticeSender, draft: Draft, *, ip: str | None = None
    ) -> NoticeRecord:
        """Record the notice and plan it at ``send_at``. OutOfScope (audited) when the sender
        may not send there; ValueError for a bad topic or text."""
        try:
            commune, villages = self._check(sender, draft)
        except OutOfScope as exc:
            await tx.audit.record(
                actor=sender.actor, action="notice.refused", ip=ip,
                target=f"commune:{draft.commune_code}" if draft.commune_code else None,
                detail={"reason": str(exc), "villages": list(draft.village_ids)},
            )  # fmt: skip
            raise
        send_at = draft.send_at or utcnow()
        notice = await tx.notices.create(
            sender=sender.actor, sender_role=sender.role, sender_contact_id=sender.contact_id,
            topic=draft.topic, text=draft.text.strip(), send_at=send_at, commune_code=commune,
            village_ids=villages, ask_safety=_asks(draft), unaccented=draft.unaccented,
        )  # fmt: skip
        await tx.jobs.add(
            PLAN_JOB, {"notice_id": notice.id}, lane="bulk", run_at=send_at,
            key=f"notice:{notice.id}:plan",
        )  # fmt: skip
        await tx.audit.record(
            actor=sender.actor, action="notice.created", target=f"notice:{notice.id}", ip=ip,
            detail={"topic": notice.topic, "commune": commune, "villages": list(villages),
                    "send_at": send_at.isoformat()},
        )  # fmt: skip
        return notice

    async def preview(self, tx: Tx, sender: NoticeSender, draft: Draft) -> Preview:
        return await self.planner.preview(tx, self.sketch(sender, draft))

    def sketch(self, sender: NoticeSender, draft: Draft) -> NoticeRecord:
        """The notice ``draft`` would be, not saved (id 0): what previews are made of.
        OutOfScope (not audited) or ValueError as :meth:`create`."""
        commune, villages = self._check(sender, draft)
        return NoticeRecord(
            id=0, sender=sender.actor, sender_contact_id=sender.contact_id, sender_role=sender.role,
            commune_code=commune, village_ids=villages, topic=draft.topic, text=draft.text,
            ask_safety=_asks(draft), unaccented=draft.unaccented, send_at=utcnow(),
            status="scheduled", planned=0, created_at=utcnow(), finished_at=None,
        )  # fmt: skip

    async def cancel(self, tx: Tx, notice: NoticeRecord, actor: str) -> bool:
        """Before it goes out only; what was planned already is skipped."""
        moved = await tx.notices.set_status(
            notice.id, "cancelled", only_from=("scheduled", "planning", "sending")
        )
        if moved:
            await tx.jobs.cancel(f"notice:{notice.id}:plan")
            await tx.audit.record(
                actor=actor, action="notice.cancelled", target=f"notice:{notice.id}"
            )
        return moved

    @staticmethod
    async def progress(tx: Tx, notice: NoticeRecord) -> Progress:
        return await tx.notices.progress(notice)


def _asks(draft: Draft) -> bool:
    """Only a disaster warning asks its readers "an toàn" / "cần giúp"."""
    return draft.ask_safety and draft.topic == "disaster_warnings"


def watch_after(now: datetime, seconds: int) -> datetime:
    return now + timedelta(seconds=seconds)
