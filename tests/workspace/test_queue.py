"""The queue: order, filters, counts, live update, clusters, service levels."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import update

from bot.config import WorkspaceSettings
from bot.store.models import Report
from bot.store.records import ReportRecord
from bot.web.workspace.cluster import clusters
from bot.web.workspace.sla import sla_of
from tests.workspace.conftest import CHIENG_AN, NAM_NIEU, PANH, Env

REF = re.compile(r"\b[A-Z]{2}-[A-Z2-9]{6}\b")


async def _aged(env: Env, ref: str, at: datetime) -> None:
    async with env.bot.store.engine.begin() as conn:
        await conn.execute(update(Report).where(Report.ref == ref).values(created_at=at))


def _order(html: str) -> list[str]:
    rows = html.split('<ol class="reports">', 1)[1].split("</ol>", 1)[0]
    return list(dict.fromkeys(REF.findall(rows)))


async def _login(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    assert (await env.page_login("an")).status_code == 303


async def test_most_urgent_then_oldest_first(env: Env) -> None:
    await _login(env)
    now = env.clock.now
    old_low = await env.report(urgency=20)
    new_high = await env.report(urgency=70)
    old_high = await env.report(urgency=70)
    flagged = await env.report(urgency=55, flagged=True)
    change = await env.report(kind="household_change", subtype="birth", details={"who": "Lò A"})
    for report, hours in ((old_low, 30), (new_high, 1), (old_high, 5), (flagged, 0.5),
                          (change, 48)):  # fmt: skip
        await _aged(env, report.ref, now - timedelta(hours=hours))
    page = await env.client.get("/ws/")
    assert _order(page.text) == [flagged.ref, old_high.ref, new_high.ref, old_low.ref, change.ref]


async def test_filters_and_counts(env: Env) -> None:
    await _login(env)
    flood = await env.report(urgency=30)
    panh = await env.report(village=PANH, urgency=60, flagged=True)
    change = await env.report(kind="household_change", subtype="birth", details={"who": "Lò A"})
    done = await env.report()
    async with env.bot.store.transaction() as tx:
        await tx.reports.set_status(done.ref, "acknowledged", actor="user:1")
        await tx.reports.set_status(done.ref, "resolved", actor="user:1")
    cases = {
        "": {flood.ref, panh.ref, change.ref},
        "?kind=household_change": {change.ref},
        f"?village={PANH}": {panh.ref},
        "?urgency=flagged": {panh.ref},
        "?urgency=50": {panh.ref},
        "?status=resolved": {done.ref},
        "?status=all": {flood.ref, panh.ref, change.ref, done.ref},
        "?status=nonsense": {flood.ref, panh.ref, change.ref},  # unknown values are dropped
        f"?from={(env.clock.now + timedelta(days=2)).date()}": set(),
    }
    for query, expected in cases.items():
        page = await env.client.get(f"/ws/{query}")
        assert page.status_code == 200
        assert set(_order(page.text)) == expected, query
    page = await env.client.get("/ws/?kind=disaster")
    counts = dict(re.findall(r'class="chip st-(\w+)[^"]*">[^<]+<b>(\d+)</b>', page.text))
    assert counts == {"new": "2", "acknowledged": "0", "in_progress": "0", "resolved": "1",
                      "rejected": "0"}  # fmt: skip


async def test_paging(env: Env) -> None:
    await _login(env)
    for _ in range(53):
        await env.report()
    first = await env.client.get("/ws/")
    assert len(_order(first.text)) == 50 and "Xem tiếp" in first.text
    second = await env.client.get("/ws/?offset=50")
    assert len(_order(second.text)) == 3 and "Xem tiếp" not in second.text


async def test_live_update_answers_204_until_a_new_report(env: Env) -> None:
    await _login(env)
    first = await env.report()
    page = await env.client.get("/ws/")
    since = re.search(r"since=(\d+)", page.text).group(1)  # type: ignore[union-attr]
    poll = {"HX-Request": "true"}
    assert (await env.client.get(f"/ws/?since={since}", headers=poll)).status_code == 204
    new = await env.report(urgency=90, flagged=True)
    fresh = await env.client.get(f"/ws/?since={since}", headers=poll)
    assert fresh.status_code == 200 and "Có phản ánh mới" in fresh.text
    assert fresh.text.lstrip().startswith('<section id="queue"')  # a fragment, not a page
    assert _order(fresh.text) == [new.ref, first.ref]
    assert f"since={new.id}" in fresh.text  # the next poll waits for the one after


async def test_clusters_group_without_merging(env: Env) -> None:
    await _login(env)

    def details(people: int, vulnerable: list[str]) -> dict[str, object]:
        return {"hazard": "flood", "people": people, "vulnerable": vulnerable}

    a = await env.report(details=details(5, ["elderly"]))
    b = await env.report(details=details(7, ["elderly", "children"]))
    c = await env.report(details=details(11, []))
    await env.report(details={"hazard": "landslide", "people": 3})  # another hazard
    await env.report(village=PANH, details=details(2, []))  # another village
    page = await env.client.get("/ws/")
    assert "3 hộ ở bản Nam Niệu báo ngập, 23 người, 2 hộ có người già, 1 hộ có trẻ em" in page.text
    group = page.text.split('class="clusters"', 1)[1].split('<p class="meta">', 1)[0]
    assert set(REF.findall(group)) == {a.ref, b.ref, c.ref}
    assert len(_order(page.text)) == 5  # every report is still its own row


def _rec(i: int, at: datetime, **kw: object) -> ReportRecord:
    fields: dict[str, object] = dict(
        id=i, ref=f"TT-{i:06d}", contact_id=i, type="disaster", subtype="flood",
        village_id=NAM_NIEU, commune_code=CHIENG_AN, details={"hazard": "flood", "people": 2},
        lat=None, lon=None, photos=(), urgency=30, flagged=False, status="new",
        created_at=at, updated_at=at,
    )  # fmt: skip
    fields.update(kw)
    return ReportRecord(**fields)  # type: ignore[arg-type]


def test_cluster_window_chains_and_splits() -> None:
    t = datetime(2026, 7, 20, 6, 0).astimezone()
    window = timedelta(hours=6)
    reports = [_rec(1, t), _rec(2, t + timedelta(hours=5)), _rec(3, t + timedelta(hours=10)),
               _rec(4, t + timedelta(hours=17)), _rec(5, t + timedelta(hours=30)),
               _rec(6, t + timedelta(hours=31), village_id=None)]  # fmt: skip
    groups = clusters(reports, window)
    assert [g.refs for g in groups] == [["TT-000001", "TT-000002", "TT-000003"]]
    # 17 h is 7 h after 10 h: a new chain, of one, so not shown; 30 h alone too.
    assert groups[0].sentence(lambda v: "bản Nam Niệu") == "3 hộ ở bản Nam Niệu báo ngập, 6 người"


def test_service_levels_per_kind() -> None:
    cfg = WorkspaceSettings()  # disaster: acknowledge 60 min, resolve 24 h; warn at 25 % left
    t = datetime(2026, 7, 20, 6, 0).astimezone()
    fresh = _rec(1, t)
    assert sla_of(fresh, cfg, t + timedelta(minutes=30)).state == "ok"  # type: ignore[union-attr]
    assert sla_of(fresh, cfg, t + timedelta(minutes=50)).state == "warning"  # type: ignore[union-attr]
    assert sla_of(fresh, cfg, t + timedelta(minutes=61)).state == "breached"  # type: ignore[union-attr]
    acked = _rec(2, t, status="acknowledged", acknowledged_at=t + timedelta(minutes=20))
    sla = sla_of(acked, cfg, t + timedelta(hours=2))
    assert sla is not None and (sla.stage, sla.state) == ("resolve", "ok")
    assert sla_of(acked, cfg, t + timedelta(hours=25)).state == "breached"  # type: ignore[union-attr]
    closed = _rec(3, t, status="resolved", closed_at=t + timedelta(hours=3))
    assert sla_of(closed, cfg, t + timedelta(days=9)).state == "met"  # type: ignore[union-attr]
    late = _rec(4, t, status="resolved", closed_at=t + timedelta(hours=30))
    assert sla_of(late, cfg, t + timedelta(days=9)).state == "late"  # type: ignore[union-attr]
    change = _rec(5, t, type="household_change")  # 3 days to acknowledge
    assert sla_of(change, cfg, t + timedelta(days=2)).state == "ok"  # type: ignore[union-attr]


async def test_queue_shows_the_service_level(env: Env) -> None:
    await _login(env)
    report = await env.report()
    env.clock.now = report.created_at + timedelta(minutes=70)
    page = await env.client.get("/ws/")
    assert "sla-breached" in page.text and "Quá hạn" in page.text
    env.bot.settings.workspace.sla_acknowledge_minutes.disaster = 600
    page = await env.client.get("/ws/")
    assert "sla-ok" in page.text and "Trong hạn" in page.text
