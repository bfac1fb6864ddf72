"""The map, the charts and the exports: read-only views of what the queue filter selects."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request, Response

from bot.store.records import REPORT_TYPES
from bot.web.workspace.auth import Principal
from bot.web.workspace.deps import PageUser, WorkspaceDep, client_ip
from bot.web.workspace.export import to_csv, to_xlsx
from bot.web.workspace.pages import render
from bot.web.workspace.queue import URGENCY_CHOICES, Filters
from bot.web.workspace.svg import MapPoint, horizontal_bars, report_map, stacked_bars

router = APIRouter(prefix="/ws", include_in_schema=False)
WEEKS = 12
MAP_LIMIT = 2000
# Worst first: a village marker takes the colour of its least advanced report.
STATUS_RANK = {"new": 0, "acknowledged": 1, "in_progress": 2, "resolved": 3, "rejected": 4}


@router.get("/map")
async def map_page(request: Request, ws: WorkspaceDep, who: PageUser) -> Response:
    filters = Filters.parse(dict(request.query_params))
    p = ws.presenter
    flt = filters.to_store(ZoneInfo(ws.bot.settings.timezone))
    async with ws.bot.store.transaction() as tx:
        rows = await tx.triage.queue(who.scope, flt, limit=MAP_LIMIT)
        positions = await tx.triage.village_positions(who.scope)
    points: list[MapPoint] = []
    by_village: dict[str, list[str]] = defaultdict(list)
    unplaced: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        if r.lat is not None and r.lon is not None:
            label = f"{r.ref} · {p.kind(r.type)} · {p.village(r.village_id)} · {p.status(r.status)}"
            points.append(MapPoint(r.lat, r.lon, r.status, label, f"/ws/reports/{r.ref}",
                                   big=r.flagged))  # fmt: skip
        elif r.village_id in positions:
            by_village[r.village_id].append(r.status)
        else:
            unplaced[p.village(r.village_id)].append((r.ref, r.status))
    for vid, statuses in by_village.items():
        lat, lon = positions[vid]
        worst = min(statuses, key=lambda s: STATUS_RANK.get(s, 9))
        label = f"{p.village(vid)}: {len(statuses)} phản ánh (chưa có vị trí riêng)"
        points.append(MapPoint(lat, lon, worst, label, f"/ws/?{filters.query(village=vid)}",
                               big=True, count=len(statuses)))  # fmt: skip
    svg = report_map(points, tile_url=ws.cfg.map_tile_url)
    ctx = {"who": who, "p": p, "ws": ws, "svg": svg, "filters": filters, "shown": len(rows),
           "located": len(points), "unplaced": sorted(unplaced.items()),
           "urgency_choices": URGENCY_CHOICES, "villages": p.villages_of(who.user.commune_code),
           "notice": None}  # fmt: skip
    return render(request, "map.html", ctx)


def _week_start(at: datetime, tz: ZoneInfo) -> date:
    day = at.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


@router.get("/charts")
async def charts_page(request: Request, ws: WorkspaceDep, who: PageUser) -> Response:
    p = ws.presenter
    tz = ZoneInfo(ws.bot.settings.timezone)
    now = ws.now()
    first = _week_start(now, tz) - timedelta(weeks=WEEKS - 1)
    async with ws.bot.store.transaction() as tx:
        rows = await tx.triage.chart_rows(who.scope, since=now - timedelta(weeks=WEEKS))
    weeks = [first + timedelta(weeks=i) for i in range(WEEKS)]
    per_kind: dict[str, list[int]] = {p.kind(k): [0] * WEEKS for k in REPORT_TYPES}
    per_village: Counter[str] = Counter()
    ack_hours: dict[date, list[float]] = defaultdict(list)
    for row in rows:
        week = _week_start(row.created_at, tz)
        if week < first:
            continue
        per_kind[p.kind(row.type)][(week - first).days // 7] += 1
        per_village[p.village(row.village_id)] += 1
        if row.acknowledged_at is not None:
            hours = (row.acknowledged_at - row.created_at).total_seconds() / 3600
            ack_hours[week].append(hours)
    labels = [w.strftime("%d/%m") for w in weeks]
    all_hours = sorted(h for hs in ack_hours.values() for h in hs)
    charts = {
        "per_week": stacked_bars(labels, per_kind, title="Phản ánh mỗi tuần theo loại"),
        "per_village": horizontal_bars(per_village.most_common(12),
                                       title="Phản ánh theo bản (12 tuần)"),
        "ack": horizontal_bars(
            [(w.strftime("tuần %d/%m"), round(median(ack_hours[w]), 1))
             for w in weeks if ack_hours.get(w)],
            title="Thời gian đến khi nhận (giờ, trung vị mỗi tuần)", unit=" giờ"),
    }  # fmt: skip
    summary = {
        "total": sum(per_village.values()),
        "acknowledged": len(all_hours),
        "median": round(median(all_hours), 1) if all_hours else None,
        "p90": round(all_hours[int(0.9 * (len(all_hours) - 1))], 1) if all_hours else None,
    }
    ctx = {"who": who, "p": p, "ws": ws, "charts": charts, "summary": summary,
           "notice": None}  # fmt: skip
    return render(request, "charts.html", ctx)


async def _export(request: Request, ws: WorkspaceDep, who: Principal, fmt: str) -> Response:
    if not who.rule.export:
        raise HTTPException(403, "export not allowed for this role")
    filters = Filters.parse(dict(request.query_params))
    flt = filters.to_store(ZoneInfo(ws.bot.settings.timezone))
    async with ws.bot.store.transaction() as tx:
        rows = await tx.triage.with_contacts(who.scope, flt, limit=ws.cfg.export_max_rows)
        await tx.audit.record(
            actor=who.actor,
            action=f"export.{fmt}",
            target="reports",
            detail={"filter": filters.query(), "rows": len(rows)},
            ip=client_ip(request),
        )
    kind = filters.kind or None
    stamp = ws.now().astimezone(ZoneInfo(ws.bot.settings.timezone)).strftime("%Y%m%d-%H%M")
    name = f"phan-anh-{kind or 'tat-ca'}-{stamp}"
    if fmt == "csv":
        body, media = to_csv(rows, ws.presenter, kind), "text/csv; charset=utf-8"
    else:
        body = to_xlsx(rows, ws.presenter, kind)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"',
               "Cache-Control": "no-store"}  # fmt: skip
    return Response(body, media_type=media, headers=headers)


@router.get("/export.csv")
async def export_csv(request: Request, ws: WorkspaceDep, who: PageUser) -> Response:
    return await _export(request, ws, who, "csv")


@router.get("/export.xlsx")
async def export_xlsx(request: Request, ws: WorkspaceDep, who: PageUser) -> Response:
    return await _export(request, ws, who, "xlsx")
