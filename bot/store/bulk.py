"""The bulk lane's queries: the pumps' claims, what must be skipped, what still waits.

Mixed into :class:`bot.store.outbound.OutboundRepo` (``tx.outbound``); kept apart because the
bulk lane reads rows by adapter in thousands while the rest of the repo reads one message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, cast

from sqlalchemy import ColumnElement, Integer, Table, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Contact, NoticeRow, OutboundMessage, Subscription
from bot.store.records import OutboundRecord
from bot.store.types import utcnow

OPEN: Final = ("queued", "sending")  # not finished: the sweeper looks after these
OUTBOUND_TABLE = cast(Table, OutboundMessage.__table__)  # Core: an executemany, not the ORM's bulk


@dataclass(frozen=True, slots=True)
class SentMark:
    """A bulk row the provider accepted (what :meth:`OutboundRepo.mark_sent` records)."""

    message_id: int
    external_id: str | None
    segments: int | None
    attempts: int


class BulkRows:
    _s: AsyncSession

    async def _take(
        self, ids: Sequence[int], stale_before: datetime, *, in_flight: bool
    ) -> list[OutboundRecord]:
        raise NotImplementedError  # OutboundRepo's

    async def claim_bulk(
        self, adapter: str, *, limit: int, now: datetime, stale_before: datetime
    ) -> list[OutboundRecord]:
        """Take up to ``limit`` bulk messages of ``adapter`` that are due, oldest first, for
        sending (several pumps may claim at once: each row goes to one of them). Claimed is
        not yet in flight: :meth:`mark_in_flight` says when the provider call starts."""
        ids = list(
            await self._s.scalars(
                select(OutboundMessage.id)
                .where(
                    OutboundMessage.adapter == adapter,
                    OutboundMessage.priority == "bulk",
                    takeable(stale_before),
                    or_(OutboundMessage.not_before.is_(None), OutboundMessage.not_before <= now),
                )
                .order_by(OutboundMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        return await self._take(ids, stale_before, in_flight=False) if ids else []

    async def mark_in_flight_many(self, ids: Sequence[int]) -> None:
        """:meth:`mark_in_flight` for several claimed rows in one statement."""
        if ids:
            now = utcnow()
            await self._s.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id.in_(list(ids)), OutboundMessage.status == "sending")
                .values(in_flight_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )

    async def mark_sent_many(self, marks: Sequence[SentMark]) -> None:
        """:meth:`mark_sent` for several rows, one statement run for each (executemany);
        a row that has moved on already (a delivery receipt, STOP) is left as it is."""
        if not marks:
            return
        table = OUTBOUND_TABLE
        statement = (
            update(table)
            # the statuses "sent" may follow (MAY_FOLLOW in bot.store.outbound)
            .where(
                OUTBOUND_TABLE.c.id == bindparam("m_id"),
                or_(
                    OUTBOUND_TABLE.c.status == "queued", OUTBOUND_TABLE.c.status == "sending"
                ),  # no IN: many
            )
            .values(
                status="sent",
                external_id=bindparam("m_external_id"),
                segments=func.coalesce(
                    bindparam("m_segments", type_=Integer), OUTBOUND_TABLE.c.segments
                ),
                attempts=bindparam("m_attempts"),
                updated_at=utcnow(),
            )
        )
        await self._s.execute(
            statement,
            [
                {"m_id": m.message_id, "m_external_id": m.external_id,
                 "m_segments": m.segments, "m_attempts": m.attempts}
                for m in marks
            ],
        )  # fmt: skip

    async def skip_reasons(self, rows: Sequence[OutboundRecord]) -> dict[int, str]:
        """Which of these bulk rows must not go, and why, in one query: the person sent STOP
        (``stopped``), the notice was cancelled (``cancelled``), or the person no longer
        follows the notice's topic (``opted_out``; a disaster warning ignores topics)."""
        ids = [r.id for r in rows if r.contact_id is not None]
        if not ids:
            return {}
        follows = (
            select(Subscription.id)
            .where(
                Subscription.contact_id == OutboundMessage.contact_id,
                Subscription.topic == NoticeRow.topic,
                Subscription.active.is_(True),
            )
            .exists()
        )
        found = await self._s.execute(
            select(
                OutboundMessage.id,
                Contact.stopped,
                OutboundMessage.notice_id,
                NoticeRow.status,
                NoticeRow.topic,
                follows,
            )
            .outerjoin(Contact, Contact.id == OutboundMessage.contact_id)
            .outerjoin(NoticeRow, NoticeRow.id == OutboundMessage.notice_id)
            .where(OutboundMessage.id.in_(ids))
        )
        reasons: dict[int, str] = {}
        for message_id, stopped, notice_id, status, topic, following in found:
            if stopped is None or stopped:
                reasons[message_id] = "stopped"
            elif notice_id is not None and (status is None or status == "cancelled"):
                reasons[message_id] = "cancelled"
            elif notice_id is not None and topic != "disaster_warnings" and not following:
                reasons[message_id] = "opted_out"
        return reasons

    async def bulk_waiting(self, *, now: datetime) -> dict[str, datetime | None]:
        """Adapters with bulk messages not sent yet -> the earliest ``not_before`` among them
        (None: some are due now). For the sweeper: a pump must exist for each."""
        rows = await self._s.execute(
            select(OutboundMessage.adapter, OutboundMessage.not_before)
            .where(OutboundMessage.priority == "bulk", OutboundMessage.status.in_(OPEN))
            .distinct()
        )
        waiting: dict[str, datetime | None] = {}
        for adapter, not_before in rows:
            due = None if not_before is None or not_before <= now else not_before
            known = waiting.get(adapter, due)
            waiting[adapter] = None if due is None or known is None else min(due, known)
        return waiting


def takeable(stale_before: datetime) -> ColumnElement[bool]:
    # the IN term repeats the open-bulk index's predicate, so both databases use the index
    return and_(
        OutboundMessage.status.in_(OPEN),
        or_(OutboundMessage.status == "queued", OutboundMessage.updated_at < stale_before),
    )
