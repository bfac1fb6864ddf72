"""The queue: filters from the query string, one page of reports with their SLA and words,
counts per status and the disaster clusters in view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.store.records import OPEN_STATUSES, REPORT_STATUSES, REPORT_TYPES, ReportRecord
from bot.store.triage import QueueFilter, Scope
from bot.web.workspace.cluster import Cluster, clusters
from bot.web.workspace.deps import Workspace
from bot.web.workspace.sla import Sla, sla_of
from bot.web.workspace.views import Presenter

PAGE = 50
URGENCY_CHOICES = {"flagged": "Khẩn (đã gắn cờ)", "50": "Từ 50 điểm", "25": "Từ 25 điểm"}


@dataclass(frozen=True, slots=True)
class Filters:
    """The queue's query string, validated: unknown values are dropped, never an error."""

    status: str = ""  # "" = open, "all", or one status
    kind: str = ""
    village: str = ""
    urgency: str = ""
    date_from: str = ""
    date_to: str = ""
    offset: int = 0

    @classmethod
    def parse(cls, q: dict[str, str]) -> Filters:
        status = q.get("status", "")
        return cls(
            status=status if status in ("all", *REPORT_STATUSES) else "",
            kind=q.get("kind", "") if q.get("kind") in REPORT_TYPES else "",
            village=q.get("village", "")[:128],
            urgency=q.get("urgency", "") if q.get("urgency") in URGENCY_CHOICES else "",
            date_from=q.get("from", "") if _day(q.get("from", "")) else "",
            date_to=q.get("to", "") if _day(q.get("to", "")) else "",
            offset=max(0, min(_int(q.get("offset", "0")), 1_000_000)),
        )

    def to_store(self, tz: ZoneInfo) -> QueueFilter:
        if self.status == "all":
            statuses: tuple[str, ...] = ()
        elif self.status:
            statuses = (self.status,)
        else:
            statuses = OPEN_STATUSES
        urgency: str | int | None = None
        if self.urgency == "flagged":
            urgency = "flagged"
        elif self.urgency:
            urgency = int(self.urgency)
        start, end = _day(self.date_from), _day(self.date_to)
        return QueueFilter(
            statuses=statuses,
            kind=self.kind or None,
            village_id=self.village or None,
            urgency=urgency,
            since=None if start is None else datetime.combine(start, time(), tz),
            until=None if end is None else datetime.combine(end + timedelta(days=1), time(), tz),
        )

    def query(self, **changes: str | int) -> str:
        """This filter as a query string, with ``changes`` applied (empty values dropped)."""
        values = {
            "status": self.status, "kind": self.kind, "village": self.village,
            "urgency": self.urgency, "from": self.date_from, "to": self.date_to,
        }  # fmt: skip
        values.update({k: str(v) for k, v in changes.items()})
        return urlencode({k: v for k, v in values.items() if v and v != "0"})


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


@dataclass(frozen=True, slots=True)
class Row:
    report: ReportRecord
    summary: str
    village: str
    sla: Sla | None
    age: str


@dataclass
class QueueView:
    filters: Filters
    rows: list[Row]
    counts: dict[str, int]
    total: int
    newest_id: int
    clusters: list[tuple[Cluster, str]] = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.filters.offset + len(self.rows) < self.total


def age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} phút"
    if minutes < 48 * 60:
        return f"{minutes // 60} giờ"
    return f"{minutes // (24 * 60)} ngày"


async def build_queue(ws: Workspace, scope: Scope, filters: Filters, p: Presenter) -> QueueView:
    tz = ZoneInfo(ws.bot.settings.timezone)
    flt = filters.to_store(tz)
    now = ws.now()
    window = timedelta(minutes=ws.cfg.cluster_window_minutes)
    async with ws.bot.store.transaction() as tx:
        page = await tx.triage.queue(scope, flt, limit=PAGE, offset=filters.offset)
        counts = await tx.triage.status_counts(scope, flt)
        # The same filter with the status choice ignored, so the total is a sum, not a query.
        total = sum(n for status, n in counts.items() if not flt.statuses or status in flt.statuses)
        newest = await tx.triage.newest_id(scope)
        recent = []
        if filters.kind in ("", "disaster"):
            recent = await tx.triage.recent(scope, kind="disaster", since=now - 3 * window)
    rows = [
        Row(r, p.summary(r), p.village(r.village_id), sla_of(r, ws.cfg, now),
            age(now - r.created_at))
        for r in page
    ]  # fmt: skip
    if filters.village:
        recent = [r for r in recent if r.village_id == filters.village]
    groups = [(c, c.sentence(p.village)) for c in clusters(recent, window)]
    return QueueView(filters, rows, counts, total, newest, groups)
