"""The audit log: who did what, when and from where (logins, role grants, report changes).

Rows are only ever added. ``actor`` names a person the way the rest of the store does
(``contact:12``, ``user:3``, ``cli:root``); ``target`` what was acted on (``report:TT-7K3Q9M``,
``village:03664:nam niệu``); ``detail`` never holds a password, a code or a phone number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import AuditEventRow
from bot.store.records import AuditRecord
from bot.store.types import nfc_deep, utcnow


class AuditRepo:
    """The audit log inside one transaction (a refused action is audited in its own)."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def record(
        self,
        *,
        actor: str,
        action: str,
        target: str | None = None,
        detail: Mapping[str, Any] | None = None,
        ip: str | None = None,
    ) -> int:
        row = AuditEventRow(
            at=utcnow(), actor=actor[:128], action=action[:64],
            target=None if target is None else target[:200],
            detail=nfc_deep(dict(detail or {})), ip=None if ip is None else ip[:64],
        )  # fmt: skip
        self._s.add(row)
        await self._s.flush()
        return row.id

    async def recent(
        self,
        *,
        target: str | None = None,
        action: str | None = None,
        actor: str | None = None,
        limit: int = 100,
    ) -> list[AuditRecord]:
        """Newest first, optionally for one target / action / actor."""
        query = select(AuditEventRow)
        if target is not None:
            query = query.where(AuditEventRow.target == target)
        if action is not None:
            query = query.where(AuditEventRow.action == action)
        if actor is not None:
            query = query.where(AuditEventRow.actor == actor)
        rows = await self._s.scalars(
            query.order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc()).limit(limit)
        )
        return [_record(r) for r in rows]


def _record(r: AuditEventRow) -> AuditRecord:
    return AuditRecord(
        id=r.id, at=r.at, actor=r.actor, action=r.action, target=r.target,
        detail=dict(r.detail), ip=r.ip,
    )  # fmt: skip
