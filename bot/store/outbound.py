"""Outbound messages: one row per message handed to an adapter, and what became of it.

Statuses only move forward: ``queued -> sending -> sent -> delivered -> read``; ``failed``
from ``queued``, ``sending`` or ``sent``; ``unknown`` (a send that may or may not have reached
the provider: no blind retry) and ``skipped`` (never sent: STOP won, even over a notice a pump
had already claimed as ``sending``) are terminal. A ``sending`` row may go back to ``queued``
(:meth:`OutboundRepo.requeue`: a retryable error, a throttle, another route, a pump giving
back rows it cannot send in time) — the only step back, and only from ``sending``. Providers
send status callbacks out of order (a late "sent" after "delivered"); every change is one
``UPDATE ... WHERE status IN (<may precede>)``, so a terminal status is never downgraded,
even by two callbacks racing in two processes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, and_, case, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.bulk import OPEN, BulkRows, takeable
from bot.store.models import OutboundMessage
from bot.store.records import OUTBOUND_KINDS, OUTBOUND_STATUSES, PRIORITIES, OutboundRecord
from bot.store.types import utcnow
from bot.store.work import Work

# new status -> the statuses it may replace
MAY_FOLLOW: Final[dict[str, tuple[str, ...]]] = {
    "queued": ("sending",),
    "sending": ("queued", "sending"),
    "sent": ("queued", "sending"),
    "delivered": ("queued", "sending", "sent"),
    "read": ("queued", "sending", "sent", "delivered"),
    "failed": ("queued", "sending", "sent"),
    "unknown": ("sending",),
    "skipped": ("queued", "sending"),  # a pump claims its rows before it checks STOP
}


def _record(row: OutboundMessage) -> OutboundRecord:
    return OutboundRecord(
        id=row.id,
        contact_id=row.contact_id,
        adapter=row.adapter,
        urn=row.urn,
        rendering=row.rendering,
        kind=row.kind,
        text=row.text,
        buttons=tuple((str(b[0]), str(b[1])) for b in row.buttons),
        request=row.request,
        meta=dict(row.meta),
        status=row.status,
        external_id=row.external_id,
        error_kind=row.error_kind,
        error_code=row.error_code,
        segments=row.segments,
        attempts=row.attempts,
        priority=row.priority,
        idempotency_key=row.idempotency_key,
        not_before=row.not_before,
        created_at=row.created_at,
        updated_at=row.updated_at,
        notice_id=row.notice_id,
        maybe_twice=row.maybe_twice,
    )


class OutboundRepo(BulkRows):
    """Outbound messages inside one transaction."""

    def __init__(self, session: AsyncSession, work: list[Work] | None = None) -> None:
        self._s = session
        self._work = work if work is not None else []

    async def create(
        self,
        *,
        contact_id: int | None,
        adapter: str,
        urn: str,
        text: str,
        rendering: str,
        kind: str = "reply",
        buttons: Sequence[tuple[str, str]] = (),
        request: str | None = None,
        meta: Mapping[str, Any] | None = None,
        priority: str = "reply",
        segments: int | None = None,
        idempotency_key: str | None = None,
        not_before: datetime | None = None,
    ) -> int:
        """Record a message about to be queued; returns its id.

        ValueError on a bad priority or kind. With ``idempotency_key`` a second message under
        the same key is not created: the first one's id is returned (a fan-out that runs twice
        sends once).
        """
        if priority not in PRIORITIES:
            raise ValueError(f"unknown priority {priority!r}")
        if kind not in OUTBOUND_KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        if idempotency_key is not None:
            existing = await self._s.scalar(
                select(OutboundMessage.id).where(OutboundMessage.idempotency_key == idempotency_key)
            )
            if existing is not None:
                return int(existing)
        now = utcnow()
        row = OutboundMessage(
            contact_id=contact_id, adapter=adapter, urn=urn, rendering=rendering, kind=kind,
            text=text, buttons=[list(b) for b in buttons], request=request,
            meta=dict(meta or {}), status="queued", idempotency_key=idempotency_key,
            not_before=not_before, segments=segments, attempts=0, priority=priority,
            created_at=now, updated_at=now,
        )  # fmt: skip
        self._s.add(row)
        await self._s.flush()
        self._work.append(_work(row.id, priority, adapter, not_before))
        return row.id

    async def get(self, message_id: int) -> OutboundRecord | None:
        row = await self._s.get(OutboundMessage, message_id, populate_existing=True)
        return None if row is None else _record(row)

    async def by_external_id(self, adapter: str, external_id: str) -> OutboundRecord | None:
        row = await self._s.scalar(
            select(OutboundMessage)
            .where(OutboundMessage.adapter == adapter, OutboundMessage.external_id == external_id)
            .order_by(OutboundMessage.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return None if row is None else _record(row)

    async def mark_sent(
        self, message_id: int, *, external_id: str | None, segments: int | None, attempts: int
    ) -> bool:
        """The provider accepted the message. False if it had already moved on."""
        values: dict[str, object] = {"external_id": external_id, "attempts": attempts}
        if segments is not None:
            values["segments"] = segments
        return await self._move(OutboundMessage.id == message_id, "sent", values)

    async def mark_failed(
        self, message_id: int, *, kind: str, code: str | None, attempts: int
    ) -> bool:
        """The send failed for good (``kind`` is the SendError kind)."""
        values = {"error_kind": kind, "error_code": code, "attempts": attempts}
        return await self._move(OutboundMessage.id == message_id, "failed", values)

    async def mark_unknown(self, message_id: int, *, code: str | None, attempts: int) -> bool:
        """The provider may or may not have taken the message (a timeout after sending):
        not retried, so the resident never gets it twice; officers see the doubt."""
        values = {"error_kind": "unknown", "error_code": code, "attempts": attempts}
        return await self._move(OutboundMessage.id == message_id, "unknown", values)

    async def mark_skipped(self, message_id: int, *, reason: str) -> bool:
        """Never sent and never will be (the contact sent STOP, opted out of the topic)."""
        values = {"error_kind": "skipped", "error_code": reason}
        return await self._move(OutboundMessage.id == message_id, "skipped", values)

    async def start_sending(
        self, message_id: int, *, stale_before: datetime
    ) -> OutboundRecord | None:
        """Take a ``queued`` row for one attempt (``sending``, one more attempt, in flight
        from now), or a ``sending`` row untouched since ``stale_before`` (its sender died
        mid-send). None when another sender has it or it is finished."""
        taken = await self._take([message_id], stale_before, in_flight=True)
        return taken[0] if taken else None

    async def _take(
        self, ids: Sequence[int], stale_before: datetime, *, in_flight: bool
    ) -> list[OutboundRecord]:
        """One ``UPDATE`` for all of ``ids`` that are still takeable; the taken rows, in id
        order. A stale row that was in flight when its sender died is marked ``maybe_twice``."""
        now = utcnow()
        died_in_flight = and_(
            OutboundMessage.status == "sending", OutboundMessage.in_flight_at.is_not(None)
        )
        taken = list(
            await self._s.scalars(
                update(OutboundMessage)
                .where(OutboundMessage.id.in_(list(ids)), takeable(stale_before))
                .values(
                    status="sending",
                    attempts=OutboundMessage.attempts + 1,
                    updated_at=now,
                    in_flight_at=now if in_flight else None,
                    maybe_twice=case((died_in_flight, True), else_=OutboundMessage.maybe_twice),
                )
                .returning(OutboundMessage.id)
                .execution_options(synchronize_session=False)
            )
        )
        if not taken:
            return []
        rows = await self._s.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.id.in_(taken))
            .order_by(OutboundMessage.id)
            .execution_options(populate_existing=True)
        )
        return [_record(r) for r in rows]

    async def mark_in_flight(self, message_id: int) -> None:
        """The provider call for this claimed row starts now (if its sender dies from here
        on, the message may have gone: taken again, it is marked ``maybe_twice``)."""
        await self._s.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == message_id, OutboundMessage.status == "sending")
            .values(in_flight_at=utcnow(), updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    async def requeue(
        self,
        message_id: int,
        *,
        not_before: datetime | None = None,
        attempts: int | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> bool:
        """Back to ``queued`` after an attempt that did not go out (retry, throttle, another
        route in ``changes``: adapter, urn, rendering, text, buttons, meta)."""
        values: dict[str, object] = {"not_before": not_before, **(changes or {})}
        if attempts is not None:
            values["attempts"] = attempts
        moved = await self._move(OutboundMessage.id == message_id, "queued", values)
        if moved:
            found = (
                await self._s.execute(
                    select(OutboundMessage.priority, OutboundMessage.adapter).where(
                        OutboundMessage.id == message_id
                    )
                )
            ).one()
            self._work.append(_work(message_id, str(found[0]), str(found[1]), not_before))
        return moved

    async def lost_replies(
        self, *, older_than: datetime, stale_sending: datetime, limit: int = 1000
    ) -> list[int]:
        """Reply-lane messages a crash may have left behind: ``queued``, untouched and due
        since ``older_than`` (every wait writes ``not_before``), or ``sending`` untouched
        since ``stale_sending`` (in flight at a crash)."""
        rows = await self._s.scalars(
            select(OutboundMessage.id)
            .where(
                OutboundMessage.priority == "reply",
                or_(
                    and_(
                        OutboundMessage.status == "queued",
                        OutboundMessage.updated_at < older_than,
                        or_(
                            OutboundMessage.not_before.is_(None),
                            OutboundMessage.not_before < older_than,
                        ),
                    ),
                    and_(
                        OutboundMessage.status == "sending",
                        OutboundMessage.updated_at < stale_sending,
                    ),
                ),
            )
            .order_by(OutboundMessage.id)
            .limit(limit)
        )
        return [int(i) for i in rows]

    async def defer(self, message_id: int, *, not_before: datetime) -> None:
        """A queued message waits (a send limit, an earlier message to the same person)."""
        await self._s.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == message_id, OutboundMessage.status == "queued")
            .values(not_before=not_before, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    async def earlier_open(self, record: OutboundRecord) -> bool:
        """True if an older message to the same address in the same lane is not sent yet
        (messages to one person go out in the order they were written)."""
        found = await self._s.scalar(
            select(OutboundMessage.id)
            .where(
                OutboundMessage.urn == record.urn,
                OutboundMessage.id < record.id,
                OutboundMessage.priority == record.priority,
                OutboundMessage.status.in_(OPEN),
            )
            .limit(1)
        )
        return found is not None

    async def pushed_to(
        self, urn: str, *, after: int = 0, limit: int = 100
    ) -> list[OutboundRecord]:
        """Messages the bot started itself (not direct replies) that went out to ``urn``."""
        rows = await self._s.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.urn == urn,
                OutboundMessage.id > after,
                OutboundMessage.kind != "reply",
                OutboundMessage.status.in_(("sent", "delivered", "read")),
            )
            .order_by(OutboundMessage.id)
            .limit(limit)
        )
        return [_record(r) for r in rows]

    async def next_open(self, record: OutboundRecord) -> int | None:
        """The next queued, due message to the same address in the same lane, if any."""
        found = await self._s.scalar(
            select(OutboundMessage.id)
            .where(
                OutboundMessage.urn == record.urn,
                OutboundMessage.id > record.id,
                OutboundMessage.priority == record.priority,
                OutboundMessage.status == "queued",
                or_(OutboundMessage.not_before.is_(None), OutboundMessage.not_before <= utcnow()),
            )
            .order_by(OutboundMessage.id)
            .limit(1)
        )
        return None if found is None else int(found)

    async def record_status(
        self, adapter: str, external_id: str, status: str, *, error_code: str | None = None
    ) -> OutboundRecord | None:
        """Apply a provider's delivery status; returns the message (changed or not), or None
        when no message of ``adapter`` has that ``external_id``."""
        if status not in OUTBOUND_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        values: dict[str, object] = {}
        if status == "failed":
            values = {"error_kind": "permanent", "error_code": error_code}
        where = (OutboundMessage.adapter == adapter) & (OutboundMessage.external_id == external_id)
        await self._move(where, status, values)
        return await self.by_external_id(adapter, external_id)

    async def _move(
        self, where: ColumnElement[bool], status: str, values: Mapping[str, object]
    ) -> bool:
        result = await self._s.execute(
            update(OutboundMessage)
            .where(where, OutboundMessage.status.in_(MAY_FOLLOW[status]))
            .values(status=status, updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )
        return bool(cast(CursorResult[Any], result).rowcount)


def _work(message_id: int, lane: str, adapter: str, at: datetime | None) -> Work:
    """Replies are sent one by one; bulk messages wake their adapter's pump."""
    if lane == "bulk":
        return Work("pump", 0, "bulk", at, adapter)
    return Work("send", message_id, lane, at, adapter)
