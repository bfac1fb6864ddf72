"""Notices and their deliveries: one ``notices`` row, one outbound message per recipient.

Progress is counted from the outbound rows (``notice_id``), so it is live and never drifts,
per person (a long SMS notice is several messages to one person): a person is ``sending`` or
``queued`` while any part is, then ``skipped`` / ``failed`` / ``unknown`` if any part was,
then ``read`` / ``delivered`` if every part was, else ``sent``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.bulk import OUTBOUND_TABLE
from bot.store.contacts import contact_records
from bot.store.models import Contact, NoticeRow, OutboundMessage, Subscription
from bot.store.records import NOTICE_STATUSES, TOPICS, ContactRecord
from bot.store.types import dumps, nfc_deep, utcnow


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    id: int
    sender: str
    sender_contact_id: int | None
    sender_role: str
    commune_code: str | None
    village_ids: tuple[str, ...]
    topic: str
    text: str
    ask_safety: bool
    unaccented: bool
    send_at: datetime
    status: str
    planned: int
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a notice stands: ``planned`` recipients' messages and their statuses."""

    planned: int
    counts: Mapping[str, int]  # people by status
    maybe_twice: int = 0  # people whose message was in flight when its sender died

    @property
    def sent(self) -> int:
        return sum(self.counts.get(s, 0) for s in ("sent", "delivered", "read"))

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0) + self.counts.get("unknown", 0)

    @property
    def skipped(self) -> int:
        return self.counts.get("skipped", 0)

    @property
    def waiting(self) -> int:
        return self.counts.get("queued", 0) + self.counts.get("sending", 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "planned": self.planned, "sent": self.sent, "delivered": self.counts.get("delivered", 0)
            + self.counts.get("read", 0), "failed": self.failed, "skipped": self.skipped,
            "waiting": self.waiting, "maybe_twice": self.maybe_twice,
            "by_status": dict(self.counts),
        }  # fmt: skip


def _people(notice_ids: list[int]) -> Select[Any]:
    """(notice, a person's status, people, of whom maybe twice), from each person's parts."""
    m = OutboundMessage

    def parts(*statuses: str) -> ColumnElement[int]:
        return func.sum(case((m.status.in_(statuses), 1), else_=0))

    per = (
        select(
            m.notice_id.label("notice_id"), func.count().label("n"),
            parts("sending").label("sending"), parts("queued").label("queued"),
            parts("skipped").label("skipped"), parts("failed").label("failed"),
            parts("unknown").label("unknown"), parts("read").label("read"),
            parts("delivered", "read").label("delivered"),
            func.max(case((m.maybe_twice, 1), else_=0)).label("twice"),
        )
        .where(m.notice_id.in_(notice_ids))
        .group_by(m.notice_id, func.coalesce(m.contact_id, -m.id))  # a person, not an address
        .subquery()
    )  # fmt: skip
    status = case(
        (per.c.sending > 0, "sending"), (per.c.queued > 0, "queued"),
        (per.c.skipped > 0, "skipped"), (per.c.failed > 0, "failed"),
        (per.c.unknown > 0, "unknown"), (per.c.read == per.c.n, "read"),
        (per.c.delivered == per.c.n, "delivered"), else_="sent",
    )  # fmt: skip
    return (
        select(per.c.notice_id, status, func.count(), func.sum(per.c.twice))
        .group_by(per.c.notice_id, status)
    )  # fmt: skip


def _record(row: NoticeRow) -> NoticeRecord:
    return NoticeRecord(
        id=row.id, sender=row.sender, sender_contact_id=row.sender_contact_id,
        sender_role=row.sender_role, commune_code=row.commune_code,
        village_ids=tuple(row.village_ids), topic=row.topic, text=row.text,
        ask_safety=row.ask_safety, unaccented=row.unaccented, send_at=row.send_at,
        status=row.status, planned=row.planned, created_at=row.created_at,
        finished_at=row.finished_at,
    )  # fmt: skip


class NoticeRepo:
    """Notices inside one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def create(
        self,
        *,
        sender: str,
        sender_role: str,
        topic: str,
        text: str,
        send_at: datetime,
        commune_code: str | None,
        village_ids: Sequence[str] = (),
        sender_contact_id: int | None = None,
        ask_safety: bool = False,
        unaccented: bool = False,
    ) -> NoticeRecord:
        if topic not in TOPICS:
            raise ValueError(f"unknown topic {topic!r}")
        now = utcnow()
        row = NoticeRow(
            sender=sender, sender_contact_id=sender_contact_id, sender_role=sender_role,
            commune_code=commune_code, village_ids=list(village_ids), topic=topic,
            text=nfc_deep(text), ask_safety=ask_safety, unaccented=unaccented, send_at=send_at,
            status="scheduled", planned=0, created_at=now, updated_at=now,
        )  # fmt: skip
        self._s.add(row)
        await self._s.flush()
        return _record(row)

    async def get(self, notice_id: int) -> NoticeRecord | None:
        row = await self._s.get(NoticeRow, notice_id, populate_existing=True)
        return None if row is None else _record(row)

    async def set_status(
        self,
        notice_id: int,
        status: str,
        *,
        planned: int | None = None,
        only_from: Sequence[str] = (),
    ) -> bool:
        """Move a notice on (only from ``only_from`` when given); False if it had moved."""
        if status not in NOTICE_STATUSES:
            raise ValueError(f"unknown notice status {status!r}")
        values: dict[str, object] = {"status": status, "updated_at": utcnow()}
        if planned is not None:
            values["planned"] = planned
        if status in ("done", "cancelled"):
            values["finished_at"] = utcnow()
        where: ColumnElement[bool] = NoticeRow.id == notice_id
        if only_from:
            where = where & NoticeRow.status.in_(only_from)
        result = await self._s.execute(
            update(NoticeRow)
            .where(where)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def by_sender(self, sender: str, limit: int = 5) -> list[NoticeRecord]:
        rows = await self._s.scalars(
            select(NoticeRow)
            .where(NoticeRow.sender == sender)
            .order_by(NoticeRow.created_at.desc(), NoticeRow.id.desc())
            .limit(limit)
        )
        return [_record(r) for r in rows]

    async def recent(
        self, *, commune_code: str | None = None, limit: int = 50
    ) -> list[NoticeRecord]:
        """The latest notices, newest first: of one commune, or of every commune (and of
        none) when ``commune_code`` is None."""
        query = select(NoticeRow)
        if commune_code is not None:
            query = query.where(NoticeRow.commune_code == commune_code)
        rows = await self._s.scalars(
            query.order_by(NoticeRow.created_at.desc(), NoticeRow.id.desc()).limit(limit)
        )
        return [_record(r) for r in rows]

    async def last_warning_to(self, contact_id: int, *, since: datetime) -> NoticeRecord | None:
        """The latest disaster warning that asked for answers and went to this person since."""
        found = await self._s.scalar(
            select(NoticeRow)
            .join(OutboundMessage, OutboundMessage.notice_id == NoticeRow.id)
            .where(
                OutboundMessage.contact_id == contact_id,
                NoticeRow.ask_safety.is_(True),
                NoticeRow.created_at >= since,
            )
            .order_by(NoticeRow.id.desc())
            .limit(1)
        )
        return None if found is None else _record(found)

    async def progress(self, notice: NoticeRecord) -> Progress:
        return (await self.progress_of([notice]))[notice.id]

    async def progress_of(self, notices: Sequence[NoticeRecord]) -> dict[int, Progress]:
        """Progress of each notice, people by status, in one query (a list page too)."""
        counts: dict[int, dict[str, int]] = {n.id: {} for n in notices}
        twice: dict[int, int] = dict.fromkeys(counts, 0)
        if counts:
            rows = await self._s.execute(_people(list(counts)))
            for notice_id, status, n, again in rows:
                counts[notice_id][status] = int(n)
                twice[notice_id] += int(again or 0)
        return {n.id: Progress(n.planned, counts[n.id], twice[n.id]) for n in notices}

    async def audience(
        self,
        *,
        topic: str,
        commune_code: str | None,
        village_ids: Sequence[str],
        everyone: bool,
    ) -> list[ContactRecord]:
        """Who a notice reaches: residents of ``village_ids`` (or of the whole commune, or of
        everywhere for neither) who did not send STOP — subscribed to ``topic`` unless
        ``everyone`` (a disaster warning reaches every one of them)."""
        where: ColumnElement[bool] = Contact.stopped.is_(False) & Contact.village_id.is_not(None)
        if village_ids:
            where = where & Contact.village_id.in_(list(village_ids))
        elif commune_code:
            where = where & Contact.village_id.startswith(f"{commune_code}:")
        if not everyone:
            subscribed = select(Subscription.contact_id).where(
                Subscription.topic == topic, Subscription.active.is_(True)
            )
            where = where & Contact.id.in_(subscribed)
        return await contact_records(self._s, where)

    async def add_deliveries(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert outbound rows in bulk; a row whose idempotency key exists is left alone
        (planning twice sends once: :meth:`delivery_count` says what is recorded). All rows
        carry the same keys (the planner's ``_row``)."""
        if not rows:
            return
        dialect = (await self._s.connection()).dialect.name
        if dialect == "postgresql":
            await self._copy_deliveries(rows)
            return
        for start in range(0, len(rows), 1000):
            chunk = [dict(r) for r in rows[start : start + 1000]]
            # the table, not the ORM class: a Core multi-row insert (the ORM's bulk path
            # handled each row in Python: ~80 % of planning 100,000 people)
            stmt = sqlite_insert(OUTBOUND_TABLE).on_conflict_do_nothing(
                index_elements=["idempotency_key"]
            )
            await self._s.execute(stmt, chunk)

    async def _copy_deliveries(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT that skips
        the keys already there (a multi-row INSERT spent most of planning 100,000 people
        binding parameters)."""
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)  # our own column names
        # the statements below run in this transaction: SQLAlchemy's first one began it
        await self._s.execute(
            text(
                f"CREATE TEMP TABLE notice_deliveries AS "  # noqa: S608
                f"SELECT {names} FROM outbound_messages WITH NO DATA"
            )
        )
        json_columns = {"buttons", "meta"}
        records = [tuple(dumps(r[c]) if c in json_columns else r[c] for c in columns) for r in rows]
        raw = await (await self._s.connection()).get_raw_connection()
        driver: Any = raw.driver_connection  # asyncpg's own connection: COPY
        await driver.copy_records_to_table("notice_deliveries", records=records, columns=columns)
        await self._s.execute(
            text(
                f"INSERT INTO outbound_messages ({names}) SELECT {names} "  # noqa: S608
                "FROM notice_deliveries ON CONFLICT (idempotency_key) DO NOTHING"
            )
        )
        await self._s.execute(text("DROP TABLE notice_deliveries"))

    async def delivery_count(self, notice_id: int) -> int:
        """Messages recorded for a notice (what planning produced, whatever ran twice)."""
        found = await self._s.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(OutboundMessage.notice_id == notice_id)
        )
        return int(found or 0)
