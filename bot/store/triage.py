"""Reports as the commune workspace reads them: always through a :class:`Scope`.

Every query here takes the caller's scope first, so an officer of one commune cannot reach
another commune's reports through any of them (the web layer answers 404 for what the scope
hides). Sorting of the queue: flagged first, then higher urgency, then oldest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.contacts import contact_records
from bot.store.models import Contact, Report, VillageRow
from bot.store.records import OPEN_STATUSES, ContactRecord, NotFound, ReportRecord
from bot.store.refs import normalize_ref
from bot.store.reports import _record


@dataclass(frozen=True, slots=True)
class Scope:
    """Which reports a workspace user may see: everything (admin), one commune (officer) or
    one village (head). A scope with neither commune nor village and not ``everything``
    sees nothing."""

    everything: bool = False
    commune_code: str | None = None
    village_id: str | None = None

    def clause(self) -> ColumnElement[bool]:
        if self.everything:
            return true()
        if self.village_id is not None:
            return Report.village_id == self.village_id
        if self.commune_code is not None:
            return Report.commune_code == self.commune_code
        return false()


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the queue, the map and the exports show. ``statuses`` empty means every status;
    ``urgency`` is ``"flagged"`` or a minimum score; dates bound ``created_at`` (UTC,
    ``until`` exclusive)."""

    statuses: tuple[str, ...] = OPEN_STATUSES
    kind: str | None = None
    village_id: str | None = None
    urgency: str | int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.statuses:
            out.append(Report.status.in_(self.statuses))
        if self.kind:
            out.append(Report.type == self.kind)
        if self.village_id:
            out.append(Report.village_id == self.village_id)
        if self.urgency == "flagged":
            out.append(Report.flagged.is_(True))
        elif isinstance(self.urgency, int):
            out.append(Report.urgency >= self.urgency)
        if self.since is not None:
            out.append(Report.created_at >= self.since)
        if self.until is not None:
            out.append(Report.created_at < self.until)
        return out


@dataclass(frozen=True, slots=True)
class ChartRow:
    """The few columns the charts need, per report."""

    type: str
    village_id: str | None
    created_at: datetime
    acknowledged_at: datetime | None


@dataclass(frozen=True, slots=True)
class ExportRow:
    report: ReportRecord
    contact: ContactRecord | None
    extra: dict[str, Any] = field(default_factory=dict)


QUEUE_ORDER = (
    Report.flagged.desc(),
    Report.urgency.desc().nulls_last(),
    Report.created_at.asc(),
    Report.id.asc(),
)


class TriageRepo:
    """Scoped reads for the workspace inside one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    def _where(self, scope: Scope, flt: QueueFilter | None) -> Select[Report]:
        query = select(Report).where(scope.clause())
        if flt is not None:
            query = query.where(and_(true(), *flt.clauses()))
        return query

    async def get(self, scope: Scope, ref: str) -> ReportRecord | None:
        """The report if it exists *and* the scope may see it; None either way otherwise."""
        canonical = normalize_ref(ref)
        if canonical is None:
            return None
        row = await self._s.scalar(select(Report).where(Report.ref == canonical, scope.clause()))
        return None if row is None else _record(row)

    async def queue(
        self, scope: Scope, flt: QueueFilter, *, limit: int = 50, offset: int = 0
    ) -> list[ReportRecord]:
        """One page of the queue, most urgent and oldest first."""
        rows = await self._s.scalars(
            self._where(scope, flt).order_by(*QUEUE_ORDER).limit(limit).offset(offset)
        )
        return [_record(r) for r in rows]

    async def count(self, scope: Scope, flt: QueueFilter) -> int:
        query = select(func.count()).select_from(Report).where(scope.clause(), *flt.clauses())
        return int(await self._s.scalar(query) or 0)

    async def status_counts(self, scope: Scope, flt: QueueFilter) -> dict[str, int]:
        """Reports per status under ``flt`` with its status choice ignored."""
        clauses = replace(flt, statuses=()).clauses()
        rows = await self._s.execute(
            select(Report.status, func.count())
            .where(scope.clause(), *clauses)
            .group_by(Report.status)
        )
        return {status: int(n) for status, n in rows}

    async def newest_id(self, scope: Scope) -> int:
        """The id of the newest report the scope sees (0 if none): the live queue's marker."""
        found = await self._s.scalar(
            select(Report.id).where(scope.clause()).order_by(Report.id.desc()).limit(1)
        )
        return int(found or 0)

    async def recent(
        self, scope: Scope, *, kind: str, since: datetime, statuses: Sequence[str] = OPEN_STATUSES
    ) -> list[ReportRecord]:
        """Reports of ``kind`` created since ``since`` in ``statuses``, oldest first (clusters)."""
        rows = await self._s.scalars(
            select(Report)
            .where(
                scope.clause(),
                Report.type == kind,
                Report.created_at >= since,
                Report.status.in_(statuses),
            )
            .order_by(Report.created_at, Report.id)
        )
        return [_record(r) for r in rows]

    async def with_contacts(self, scope: Scope, flt: QueueFilter, *, limit: int) -> list[ExportRow]:
        """Reports under ``flt`` oldest first, each with its resident (name, URNs)."""
        rows = [
            _record(r)
            for r in await self._s.scalars(
                self._where(scope, flt).order_by(Report.created_at, Report.id).limit(limit)
            )
        ]
        ids = sorted({r.contact_id for r in rows})
        contacts = {c.id: c for c in await contact_records(self._s, Contact.id.in_(ids))}
        return [ExportRow(r, contacts.get(r.contact_id)) for r in rows]

    async def chart_rows(self, scope: Scope, *, since: datetime) -> list[ChartRow]:
        rows = await self._s.execute(
            select(Report.type, Report.village_id, Report.created_at, Report.acknowledged_at)
            .where(scope.clause(), Report.created_at >= since)
            .order_by(Report.created_at)
        )
        return [ChartRow(t, v, c, a) for t, v, c, a in rows]

    async def contact(self, contact_id: int) -> ContactRecord | None:
        found = await contact_records(self._s, Contact.id == contact_id)
        return found[0] if found else None

    async def village_positions(self, scope: Scope) -> dict[str, tuple[float, float]]:
        """``village_id -> (lat, lon)`` of the villages in scope that have a position."""
        query = select(VillageRow.id, VillageRow.lat, VillageRow.lon).where(
            VillageRow.lat.is_not(None), VillageRow.lon.is_not(None)
        )
        if scope.village_id is not None:
            query = query.where(VillageRow.id == scope.village_id)
        elif not scope.everything:
            query = query.where(VillageRow.commune_code == (scope.commune_code or ""))
        rows = await self._s.execute(query)
        return {vid: (lat, lon) for vid, lat, lon in rows if lat is not None and lon is not None}

    async def set_village_position(
        self, village_id: str, lat: float | None, lon: float | None
    ) -> None:
        """Give a village a map position (None, None: take it away). NotFound if unknown."""
        if (lat is None) != (lon is None):
            raise ValueError("lat and lon go together")
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"coordinates out of range: {lat}, {lon}")
        row = await self._s.get(VillageRow, village_id)
        if row is None:
            raise NotFound(f"village {village_id}")
        row.lat, row.lon = lat, lon
        await self._s.flush()
