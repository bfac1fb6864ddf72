"""Reports (disaster, household change, eligibility request, handover) and their status history."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Report, ReportEventRow
from bot.store.records import REPORT_STATUSES, REPORT_TYPES, NotFound, ReportEvent, ReportRecord
from bot.store.refs import make_ref, normalize_ref
from bot.store.types import nfc_deep, utcnow

CLOSED_STATUSES: Final = ("resolved", "rejected")

# A collision needs two equal draws out of ~887 million; ten in a row means a broken generator.
MAX_CODE_ATTEMPTS = 10


def _record(row: Report) -> ReportRecord:
    return ReportRecord(
        id=row.id,
        ref=row.ref,
        contact_id=row.contact_id,
        type=row.type,
        subtype=row.subtype,
        village_id=row.village_id,
        commune_code=row.commune_code,
        details=dict(row.details),
        lat=row.lat,
        lon=row.lon,
        photos=tuple(row.photos),
        urgency=row.urgency,
        flagged=row.flagged,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
        assigned_to=row.assigned_to,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        closed_at=row.closed_at,
        anonymised_at=row.anonymised_at,
    )


def _event(e: ReportEventRow) -> ReportEvent:
    return ReportEvent(
        status=e.status,
        note=e.note,
        actor=e.actor,
        at=e.at,
        kind=e.kind,
        detail=None if e.detail is None else dict(e.detail),
    )


class ReportRepo:
    """Reports inside one transaction. ``codes`` draws the random part of a reference."""

    def __init__(self, session: AsyncSession, codes: Callable[[], str]) -> None:
        self._s = session
        self._codes = codes

    async def create(
        self,
        *,
        contact_id: int,
        type: str,
        subtype: str | None = None,
        village_id: str | None = None,
        commune_code: str | None = None,
        details: Mapping[str, Any] | None = None,
        lat: float | None = None,
        lon: float | None = None,
        photos: Sequence[str] = (),
        urgency: int | None = None,
        flagged: bool = False,
        actor: str | None = None,
    ) -> ReportRecord:
        """Save a new report with status ``new`` and its first history event.

        The reference is unique (a collision draws again). ``actor`` defaults to
        ``"contact:<id>"``. Strings in ``details`` are stored in NFC. ValueError on an unknown
        type or coordinates out of range.
        """
        if type not in REPORT_TYPES:
            raise ValueError(f"unknown report type {type!r}")
        if (lat is None) != (lon is None):
            raise ValueError("lat and lon go together")
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"coordinates out of range: {lat}, {lon}")
        now = utcnow()
        for _ in range(MAX_CODE_ATTEMPTS):
            ref = make_ref(type, self._codes())
            if await self._by_ref(ref) is not None:
                continue
            row = Report(
                ref=ref,
                contact_id=contact_id,
                type=type,
                subtype=subtype,
                village_id=village_id,
                commune_code=commune_code,
                details=nfc_deep(dict(details or {})),
                lat=lat,
                lon=lon,
                photos=nfc_deep(list(photos)),
                urgency=urgency,
                flagged=flagged,
                status="new",
                created_at=now,
                updated_at=now,
            )
            try:
                async with self._s.begin_nested():
                    self._s.add(row)
                    await self._s.flush()
            except IntegrityError:
                # A concurrent transaction took the same reference; anything else is real.
                if await self._by_ref(ref) is None:
                    raise
                continue
            self._s.add(
                ReportEventRow(
                    report_id=row.id,
                    status="new",
                    actor=actor or f"contact:{contact_id}",
                    at=now,
                    kind="status",
                )
            )
            await self._s.flush()
            return _record(row)
        raise RuntimeError(f"no free reference code after {MAX_CODE_ATTEMPTS} attempts")

    async def enrich(
        self,
        ref: str,
        contact_id: int,
        *,
        details: Mapping[str, Any],
        subtype: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
        photos: Sequence[str] = (),
        urgency: int | None = None,
        flagged: bool = False,
    ) -> ReportRecord | None:
        """Add what a resident said after filing to the contact's own report ``ref``.

        ``details`` are merged over the stored ones (a ``None`` value does not erase one that
        is known); ``photos`` are appended once each; ``subtype`` and the location replace the
        stored ones when given; ``urgency`` replaces the score; ``flagged`` only ever turns the
        flag on. None when the contact has no such report. The status is not touched.
        """
        canonical = normalize_ref(ref)
        row = None
        if canonical is not None:
            row = await self._s.scalar(
                select(Report).where(Report.ref == canonical, Report.contact_id == contact_id)
            )
        if row is None:
            return None
        if (lat is None) != (lon is None):
            raise ValueError("lat and lon go together")
        if lat is not None and lon is not None:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"coordinates out of range: {lat}, {lon}")
            row.lat, row.lon = lat, lon
        known = {k: v for k, v in nfc_deep(dict(details)).items() if v is not None}
        row.details = {**dict(row.details), **known}
        row.photos = list(dict.fromkeys([*row.photos, *nfc_deep(list(photos))]))
        row.subtype = subtype or row.subtype
        row.urgency = urgency
        row.flagged = bool(row.flagged or flagged)
        row.updated_at = utcnow()
        await self._s.flush()
        return _record(row)

    async def find(self, ref: str, contact_id: int) -> ReportRecord | None:
        """The contact's own report for a typed reference (any case, dash optional), or None."""
        canonical = normalize_ref(ref)
        if canonical is None:
            return None
        row = await self._s.scalar(
            select(Report).where(Report.ref == canonical, Report.contact_id == contact_id)
        )
        return None if row is None else _record(row)

    async def open_for(
        self, commune_code: str | None, statuses: Sequence[str], *, limit: int = 5
    ) -> tuple[list[ReportRecord], int]:
        """A commune's (None: every commune's) reports in ``statuses``: the most urgent and
        oldest first, and how many there are in all."""
        where: ColumnElement[bool] = Report.status.in_(statuses)
        if commune_code is not None:
            where = where & (Report.commune_code == commune_code)
        total = await self._s.scalar(select(func.count()).select_from(Report).where(where))
        rows = await self._s.scalars(
            select(Report)
            .where(where)
            .order_by(Report.flagged.desc(), Report.urgency.desc(), Report.created_at, Report.id)
            .limit(limit)
        )
        return [_record(r) for r in rows], int(total or 0)

    async def by_id(self, report_id: int) -> ReportRecord | None:
        row = await self._s.get(Report, report_id, populate_existing=True)
        return None if row is None else _record(row)

    async def get(self, ref: str) -> ReportRecord | None:
        """Any report by reference (for officers); None if unknown."""
        row = await self._by_ref(ref)
        return None if row is None else _record(row)

    async def count_since(self, contact_id: int, since: datetime) -> int:
        """How many reports the contact filed at or after ``since`` (the hourly cap)."""
        found = await self._s.scalar(
            select(func.count(Report.id)).where(
                Report.contact_id == contact_id, Report.created_at >= since
            )
        )
        return int(found or 0)

    async def latest(self, contact_id: int, limit: int = 5) -> list[ReportRecord]:
        """The contact's newest reports first."""
        rows = await self._s.scalars(
            select(Report)
            .where(Report.contact_id == contact_id)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(limit)
        )
        return [_record(r) for r in rows]

    async def set_status(
        self,
        ref: str,
        status: str,
        *,
        actor: str,
        note: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> ReportRecord:
        """Move a report to ``status`` and append the step to its history.

        The first move out of ``new`` records when and by whom the report was acknowledged
        (kept afterwards); ``resolved`` / ``rejected`` set ``closed_at``, any other status clears
        it (reopened). Which moves are allowed is the caller's rule (the workspace's workflow).
        ValueError on an unknown status, NotFound on an unknown reference.
        """
        if status not in REPORT_STATUSES:
            raise ValueError(f"unknown report status {status!r}")
        row = await self._by_ref(ref)
        if row is None:
            raise NotFound(f"report {ref}")
        now = utcnow()
        row.status = status
        row.updated_at = now
        if status != "new" and row.acknowledged_at is None:
            row.acknowledged_at, row.acknowledged_by = now, actor
        row.closed_at = now if status in CLOSED_STATUSES else None
        self._add_event(row, "status", actor, now, note=note, detail=detail)
        await self._s.flush()
        return _record(row)

    async def add_event(
        self,
        ref: str,
        kind: str,
        *,
        actor: str,
        note: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> ReportEvent:
        """Append a ``note`` (internal), a ``reply`` (sent to the resident), an ``alert`` (who
        was alerted, through what) or an ``answer`` (the resident wrote back) to the history.

        ValueError for another kind (status and assignment have their own methods), NotFound
        on an unknown reference.
        """
        if kind not in ("note", "reply", "alert", "answer"):
            raise ValueError(f"use set_status / assign for {kind!r} events")
        row = await self._by_ref(ref)
        if row is None:
            raise NotFound(f"report {ref}")
        event = self._add_event(row, kind, actor, utcnow(), note=note, detail=detail)
        row.updated_at = event.at
        await self._s.flush()
        return _event(event)

    async def assign(self, ref: str, user_id: int | None, *, actor: str) -> ReportRecord:
        """Give the report to a workspace user (None: to nobody) and record who did it."""
        row = await self._by_ref(ref)
        if row is None:
            raise NotFound(f"report {ref}")
        now = utcnow()
        row.assigned_to = user_id
        row.updated_at = now
        self._add_event(row, "assign", actor, now, detail={"assigned_to": user_id})
        await self._s.flush()
        return _record(row)

    def _add_event(
        self,
        row: Report,
        kind: str,
        actor: str,
        at: datetime,
        *,
        note: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> ReportEventRow:
        event = ReportEventRow(
            report_id=row.id,
            status=row.status,
            note=None if note is None else nfc_deep(note),
            actor=actor,
            at=at,
            kind=kind,
            detail=None if detail is None else nfc_deep(dict(detail)),
        )
        self._s.add(event)
        return event

    async def history(self, ref: str) -> list[ReportEvent]:
        """Status steps oldest first; empty for an unknown reference (a report has at least one)."""
        canonical = normalize_ref(ref)
        if canonical is None:
            return []
        rows = await self._s.scalars(
            select(ReportEventRow)
            .join(Report, Report.id == ReportEventRow.report_id)
            .where(Report.ref == canonical)
            .order_by(ReportEventRow.at, ReportEventRow.id)
        )
        return [_event(e) for e in rows]

    async def for_commune(
        self, commune_code: str, status: str | None = None, limit: int = 50
    ) -> list[ReportRecord]:
        """A commune's reports, newest first, optionally only those in ``status``."""
        query = select(Report).where(Report.commune_code == commune_code)
        if status is not None:
            query = query.where(Report.status == status)
        rows = await self._s.scalars(
            query.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)
        )
        return [_record(r) for r in rows]

    async def _by_ref(self, ref: str) -> Report | None:
        canonical = normalize_ref(ref)
        if canonical is None:
            return None
        return await self._s.scalar(select(Report).where(Report.ref == canonical))
