"""Notices through ``/api/v1/notices`` on a whole bot (SQLite, the in-process queue, the
simulator as everyone's channel): who may send where, what a bad body gets, what the
preview counts, that progress moves once the plan job has run, that a scheduled notice waits
for its time (on the clock the job runner uses) and that a cancelled one never goes out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.jobs.registry import JobServices
from bot.jobs.runner import Runner
from bot.store.models import JobRow, NoticeRow
from bot.store.work import Work
from tests.conftest import make_settings
from tests.notices.test_chat_broadcast import outbox, person, settle
from tests.workspace.conftest import (
    CHIENG_AN,
    MAI_SON,
    NAM_NIEU,
    PANH,
    TIEU_KHU_4,
    Clock,
    Env,
    running,
)

MEETING = "Sáng mai 7 giờ họp bản ở nhà văn hoá."


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    """The workspace's Env, with the notice watch every second (the summary comes soon)."""
    async with running(make_settings(tmp_path, notice_watch_seconds=1)) as found:
        yield found


async def bearer(env: Env, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await env.token(username)}"}


async def send(env: Env, auth: dict[str, str], **body: Any) -> httpx.Response:
    return await env.client.post("/api/v1/notices", json=body, headers=auth)


async def village_people(app: App) -> None:
    """a, b: Nam Niệu and Panh, subscribed; c: Nam Niệu, other topic; d: another commune;
    e: Panh, reads SMS."""
    await person(app, "a", NAM_NIEU, ("village_notices",))
    await person(app, "b", PANH, ("village_notices",))
    await person(app, "c", NAM_NIEU, ("loans",))
    await person(app, "d", TIEU_KHU_4, ("village_notices",))
    async with app.store.transaction() as tx:
        e = await tx.contacts.get_or_create("sim:e", "sim", "vi", rendering="sms")
        await tx.contacts.update(e.id, village_id=PANH, notice_seen=True)
        await tx.subscriptions.set(e.id, ("village_notices",), True)


async def audit(app: App, action: str) -> list[Any]:
    async with app.store.read() as tx:
        return [e for e in await tx.audit.recent(limit=100) if e.action == action]


async def count(app: App, model: type[NoticeRow] | type[JobRow]) -> int:
    async with app.store.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


def runner_at(app: App, clock: Clock) -> Runner:
    """A runner on the app's store and sender whose clock the test moves (tests/officers)."""
    assert app.channels is not None
    services = JobServices(app.settings, app.channels.contacts_out, app.engine.text, clock,
                           extra={"notices": app.notices})  # fmt: skip
    return Runner(app.store, app.channels.sender, services, clock=clock)


async def run_due(app: App, runner: Runner, clock: Clock) -> None:
    async with app.store.read() as tx:
        due = await tx.jobs.due(now=clock(), stale_running=clock())
    for job in due:
        await runner.run(Work("job", job.id))


async def test_an_officer_sends_to_the_commune_and_progress_moves(env: Env) -> None:
    officer = await env.user("can.bo.an", "officer", CHIENG_AN)
    await village_people(env.bot)
    auth = await bearer(env, "can.bo.an")
    r = await send(env, auth, topic="village_notices", text=f"  {MEETING} ")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["status"], body["text"], body["commune"], body["villages"]) == (
        "scheduled", MEETING, CHIENG_AN, [])  # fmt: skip
    assert body["sender"] == f"user:{officer.id}"
    preview = body["preview"]
    assert (preview["people"], preview["by_adapter"], preview["unreachable"]) == (3, {"sim": 3}, 0)
    assert preview["sms_messages"] == 1 and preview["sms_segments"] >= 1
    assert preview["sms_cost_vnd"] == preview["sms_segments"] * env.bot.settings.sms_price_vnd
    assert datetime.fromisoformat(body["send_at"]) <= env.clock() + timedelta(seconds=5)

    await settle(env.bot)
    for user, gets in (("a", True), ("b", True), ("e", True), ("c", False), ("d", False)):
        got = [m["text"] for m in await outbox(env.client, user)]
        assert bool(got) == gets, (user, got)
    [a_got] = await outbox(env.client, "a")
    assert a_got["text"] == f"📢 phường Chiềng An: {MEETING}"
    r = await env.client.get(f"/api/v1/notices/{body['id']}", headers=auth)
    assert r.status_code == 200
    progress = r.json()["progress"]
    assert (progress["planned"], progress["sent"], progress["failed"]) == (3, 3, 0)
    assert progress["waiting"] == 0 and progress["by_status"] == {"sent": 3}
    listed = (await env.client.get("/api/v1/notices", headers=auth)).json()["items"]
    assert [(n["id"], n["progress"]["sent"]) for n in listed] == [(body["id"], 3)]
    [created] = await audit(env.bot, "notice.created")
    assert (created.actor, created.target) == (f"user:{officer.id}", f"notice:{body['id']}")
    assert created.ip == "127.0.0.1"


async def test_the_preview_counts_and_keeps_nothing(env: Env) -> None:
    await env.user("can.bo.an", "officer", CHIENG_AN)
    await village_people(env.bot)
    auth = await bearer(env, "can.bo.an")
    body = {"topic": "village_notices", "text": MEETING, "village_ids": [PANH]}
    r = await env.client.post("/api/v1/notices/preview", json=body, headers=auth)
    assert r.status_code == 200, r.text
    accented = r.json()["preview"]
    assert (accented["people"], accented["sms_messages"]) == (2, 1)  # b, and e by SMS
    r = await env.client.post(
        "/api/v1/notices/preview", json={**body, "unaccented": True}, headers=auth
    )
    plain = r.json()["preview"]
    assert plain["sms_segments"] <= accented["sms_segments"]  # GSM-7 fits more per segment
    assert await count(env.bot, NoticeRow) == 0 and await count(env.bot, JobRow) == 0
    assert await audit(env.bot, "notice.created") == []


async def test_an_officer_cannot_send_to_another_commune_and_it_is_audited(env: Env) -> None:
    officer = await env.user("can.bo.an", "officer", CHIENG_AN)
    auth = await bearer(env, "can.bo.an")
    r = await send(env, auth, topic="village_notices", text=MEETING, commune_code=MAI_SON)
    assert r.status_code == 403
    assert r.json() == {"detail": "Cán bộ chỉ gửi được trong xã của mình."}
    r = await send(env, auth, topic="village_notices", text=MEETING, village_ids=[TIEU_KHU_4])
    assert r.status_code == 403
    assert r.json() == {"detail": "Cán bộ chỉ gửi được cho các bản trong xã của mình."}
    r = await env.client.post("/api/v1/notices/preview", headers=auth, json={
        "topic": "loans", "text": MEETING, "village_ids": [NAM_NIEU, TIEU_KHU_4]})  # fmt: skip
    assert r.status_code == 403
    refused = await audit(env.bot, "notice.refused")
    assert len(refused) == 2  # create refusals; a preview is not a request to send
    assert {e.actor for e in refused} == {f"user:{officer.id}"}
    assert {e.target for e in refused} == {f"commune:{MAI_SON}", None}
    assert all(e.ip == "127.0.0.1" for e in refused)
    assert await count(env.bot, NoticeRow) == 0 and await count(env.bot, JobRow) == 0


async def test_an_admin_sends_anywhere_and_sees_everything(env: Env) -> None:
    await env.user("admin", "admin")
    await env.user("can.bo.an", "officer", CHIENG_AN)
    await env.user("can.bo.mai.son", "officer", MAI_SON)
    admin = await bearer(env, "admin")
    r = await send(env, admin, topic="loans", text="Vay vốn: họp ở xã.", commune_code=MAI_SON)
    assert r.status_code == 201, r.text
    in_b = r.json()["id"]
    r = await send(env, admin, topic="village_notices", text=MEETING, village_ids=[NAM_NIEU])
    assert r.status_code == 201 and r.json()["commune"] == CHIENG_AN  # the villages' commune
    to_nam_nieu = r.json()["id"]
    r = await send(env, admin, topic="loans", text="Vay vốn.", village_ids=[PANH, TIEU_KHU_4])
    assert r.status_code == 201 and r.json()["commune"] is None  # two communes: admins only
    two_communes = r.json()["id"]
    r = await send(env, await bearer(env, "can.bo.an"), topic="loans", text="Vay vốn.")
    in_a = r.json()["id"]

    async def ids(auth: dict[str, str]) -> list[int]:
        r = await env.client.get("/api/v1/notices", headers=auth)
        return [n["id"] for n in r.json()["items"]]

    assert await ids(admin) == [in_a, two_communes, to_nam_nieu, in_b]
    assert await ids(await bearer(env, "can.bo.an")) == [in_a, to_nam_nieu]
    b_officer = await bearer(env, "can.bo.mai.son")
    assert await ids(b_officer) == [in_b]
    for hidden in (in_a, to_nam_nieu, two_communes, 9999):
        r = await env.client.get(f"/api/v1/notices/{hidden}", headers=b_officer)
        assert (r.status_code, r.json()) == (404, {"detail": "notice not found"})
    assert (await env.client.get(f"/api/v1/notices/{in_b}", headers=b_officer)).status_code == 200


async def test_only_officers_and_admins_send(env: Env) -> None:
    await env.user("truong.ban", "head", CHIENG_AN, NAM_NIEU)
    head = await bearer(env, "truong.ban")
    body = {"topic": "village_notices", "text": MEETING}
    for method, path in (("POST", "/api/v1/notices"), ("POST", "/api/v1/notices/preview"),
                         ("GET", "/api/v1/notices"), ("GET", "/api/v1/notices/1"),
                         ("POST", "/api/v1/notices/1/cancel")):  # fmt: skip
        json = body if method == "POST" else None
        r = await env.client.request(method, path, json=json, headers=head)
        assert r.status_code == 403, (path, r.text)
        assert r.json() == {"detail": "Chỉ cán bộ xã và quản trị viên gửi được thông báo."}
        r = await env.client.request(method, path, json=json)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        r = await env.client.request(method, path, json=json, headers={"Authorization": "Bearer x"})
        assert r.status_code == 401
    assert await count(env.bot, NoticeRow) == 0


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"topic": "weather"}, "Xin chọn loại thông báo."),
        ({"text": "   "}, "Xin viết nội dung thông báo."),
        ({"text": "x" * 1001}, "Nội dung dài quá 1000 ký tự."),
        ({"village_ids": ["03664:không có"]}, "Không có bản 03664:không có."),
        ({"commune_code": "99999"}, "Không có xã 99999."),
        ({"send_at": "mai 7 giờ"}, "Giờ gửi không đúng dạng"),
        ({"send_at": "past"}, "Giờ gửi đã qua."),
    ],
)
async def test_bad_input_is_422_with_a_short_reason(
    env: Env, change: dict[str, Any], detail: str
) -> None:
    await env.user("admin", "admin")
    auth = await bearer(env, "admin")
    if change.get("send_at") == "past":
        change = {"send_at": (env.clock() - timedelta(minutes=10)).isoformat()}
    body = {"topic": "village_notices", "text": MEETING, **change}
    for path in ("/api/v1/notices", "/api/v1/notices/preview"):
        r = await env.client.post(path, json=body, headers=auth)
        assert r.status_code == 422, r.text
        assert isinstance(r.json()["detail"], str) and r.json()["detail"].startswith(detail)
    assert await count(env.bot, NoticeRow) == 0


async def test_a_malformed_body_gets_the_frameworks_422(env: Env) -> None:
    await env.user("admin", "admin")
    auth = await bearer(env, "admin")
    r = await send(env, auth, topic="loans", text=MEETING, sender="user:1")  # extra field
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "sender"]
    r = await send(env, auth, topic="loans", text=MEETING, village_ids="03664:panh")
    assert r.status_code == 422


async def test_a_moment_ago_means_now_and_a_zoneless_time_is_vietnam_time(env: Env) -> None:
    await env.user("admin", "admin")
    auth = await bearer(env, "admin")
    just = (env.clock() - timedelta(seconds=60)).isoformat()
    r = await send(env, auth, topic="loans", text=MEETING, send_at=just)
    assert r.status_code == 201
    assert datetime.fromisoformat(r.json()["send_at"]) > env.clock() - timedelta(seconds=5)
    later = env.clock() + timedelta(days=1)
    local = later.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    r = await send(env, auth, topic="loans", text=MEETING,
                   send_at=local.replace(tzinfo=None).isoformat())  # fmt: skip
    assert r.status_code == 201
    assert datetime.fromisoformat(r.json()["send_at"]) == later


async def test_a_scheduled_notice_waits_for_its_time(env: Env) -> None:
    await env.user("can.bo.an", "officer", CHIENG_AN)
    await village_people(env.bot)
    auth = await bearer(env, "can.bo.an")
    at = env.clock() + timedelta(hours=2)
    r = await send(env, auth, topic="village_notices", text=MEETING, village_ids=[NAM_NIEU],
                   send_at=at.isoformat())  # fmt: skip
    assert r.status_code == 201
    notice = r.json()
    assert datetime.fromisoformat(notice["send_at"]) == at
    await settle(env.bot)
    assert await outbox(env.client, "a") == []
    clock = Clock()
    clock.now = at - timedelta(seconds=1)
    runner = runner_at(env.bot, clock)
    await run_due(env.bot, runner, clock)
    await settle(env.bot)
    assert await outbox(env.client, "a") == []
    r = await env.client.get(f"/api/v1/notices/{notice['id']}", headers=auth)
    assert r.json()["status"] == "scheduled" and r.json()["progress"]["planned"] == 0
    clock.now = at
    await run_due(env.bot, runner, clock)
    await settle(env.bot)
    assert [m["text"] for m in await outbox(env.client, "a")] == [f"📢 phường Chiềng An: {MEETING}"]
    assert await outbox(env.client, "b") == []  # another village of the commune
    r = await env.client.get(f"/api/v1/notices/{notice['id']}", headers=auth)
    assert r.json()["status"] == "sending"
    assert (r.json()["progress"]["planned"], r.json()["progress"]["sent"]) == (1, 1)


async def test_a_cancelled_notice_never_goes_out(env: Env) -> None:
    await env.user("can.bo.an", "officer", CHIENG_AN)
    await env.user("can.bo.mai.son", "officer", MAI_SON)
    await village_people(env.bot)
    auth = await bearer(env, "can.bo.an")
    at = env.clock() + timedelta(hours=1)
    r = await send(env, auth, topic="village_notices", text=MEETING, send_at=at.isoformat())
    notice_id = r.json()["id"]
    other = await bearer(env, "can.bo.mai.son")
    r = await env.client.post(f"/api/v1/notices/{notice_id}/cancel", headers=other)
    assert r.status_code == 404
    r = await env.client.post(f"/api/v1/notices/{notice_id}/cancel", headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["finished_at"] is not None
    r = await env.client.post(f"/api/v1/notices/{notice_id}/cancel", headers=auth)
    assert r.status_code == 422
    assert r.json() == {"detail": "Thông báo này đã gửi xong hoặc đã huỷ, không huỷ được nữa."}
    clock = Clock()
    clock.now = at + timedelta(minutes=1)
    await run_due(env.bot, runner_at(env.bot, clock), clock)
    await settle(env.bot)
    assert await outbox(env.client, "a") == [] and await outbox(env.client, "b") == []
    [cancelled] = await audit(env.bot, "notice.cancelled")
    assert cancelled.target == f"notice:{notice_id}"


async def test_cookie_writes_need_the_csrf_header(env: Env) -> None:
    await env.user("can.bo.an", "officer", CHIENG_AN)
    assert (await env.page_login("can.bo.an")).status_code == 303
    body = {"topic": "village_notices", "text": MEETING}
    r = await env.client.post("/api/v1/notices", json=body)
    assert r.status_code == 403 and r.json() == {"detail": "CSRF token missing or wrong"}
    csrf = await env.csrf()
    r = await env.client.post("/api/v1/notices", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
