"""Outbound messages: one row per message handed to a channel, and what became of it.

Statuses only move forward: ``queued -> sent -> delivered -> read``, and ``failed`` from
``queued`` or ``sent``. Providers send status callbacks out of order (a late "sent" after
"delivered"); every change is one ``UPDATE ... WHERE status IN (<may precede>)``, so a terminal
status is never downgraded, even by two callbacks racing in two processes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import OutboundMessage
from bot.store.records import OUTBOUND_STATUSES, PRIORITIES, OutboundRecord
from bot.store.types import utcnow

# new status -> the statuses it may replace
MAY_FOLLOW: Final[dict[str, tuple[str, ...]]] = {
    "queued": (),
    "sent": ("queued",),
    "delivered": ("queued", "sent"),
    "read": ("queued", "sent", "delivered"),
    "failed": ("queued", "sent"),
}


def _record(row: OutboundMessage) -> OutboundRecord:
    return OutboundRecord(
        id=row.id,
        contact_id=row.contact_id,
        channel=row.channel,
        urn=row.urn,
        text=row.text,
        status=row.status,
        external_id=row.external_id,
        error_kind=row.error_kind,
        error_code=row.error_code,
        segments=row.segments,
        attempts=row.attempts,
        priority=row.priority,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class OutboundRepo:
    """Outbound messages inside one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def create(
        self,
        *,
        contact_id: int | None,
        channel: str,
        urn: str,
        text: str,
        priority: str = "reply",
        segments: int | None = None,
    ) -> int:
        """Record a message about to be queued; returns its id. ValueError on a bad priority."""
        if priority not in PRIORITIES:
            raise ValueError(f"unknown priority {priority!r}")
        now = utcnow()
        row = OutboundMessage(
            contact_id=contact_id, channel=channel, urn=urn, text=text, status="queued",
            segments=segments, attempts=0, priority=priority, created_at=now, updated_at=now,
        )  # fmt: skip
        self._s.add(row)
        await self._s.flush()
        return row.id

    async def get(self, message_id: int) -> OutboundRecord | None:
        row = await self._s.get(OutboundMessage, message_id, populate_existing=True)
        return None if row is None else _record(row)

    async def by_external_id(self, channel: str, external_id: str) -> OutboundRecord | None:
        row = await self._s.scalar(
            select(OutboundMessage)
            .where(OutboundMessage.channel == channel, OutboundMessage.external_id == external_id)
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

    async def record_status(
        self, channel: str, external_id: str, status: str, *, error_code: str | None = None
    ) -> OutboundRecord | None:
        """Apply a provider's delivery status; returns the message (changed or not), or None
        when no message of ``channel`` has that ``external_id``."""
        if status not in OUTBOUND_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        values: dict[str, object] = {}
        if status == "failed":
            values = {"error_kind": "permanent", "error_code": error_code}
        where = (OutboundMessage.channel == channel) & (OutboundMessage.external_id == external_id)
        await self._move(where, status, values)
        return await self.by_external_id(channel, external_id)

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
