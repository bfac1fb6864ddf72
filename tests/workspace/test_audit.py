"""Every login and every change is audited: who, what, when, from where."""

from __future__ import annotations

from bot.store.records import AuditRecord
from tests.workspace.conftest import CHIENG_AN, PASSWORD, Env


async def _log(env: Env) -> list[AuditRecord]:
    async with env.bot.store.transaction() as tx:
        return list(reversed(await tx.audit.recent(limit=100)))


async def test_logins_failures_and_locks_are_audited_with_the_address(env: Env) -> None:
    user = await env.user("an", "officer", CHIENG_AN)
    await env.client.post("/api/v1/session", json={"username": "an", "password": PASSWORD})
    for _ in range(5):
        await env.client.post("/api/v1/session", json={"username": "an", "password": "sai-sai"})
    await env.client.post("/api/v1/session", json={"username": "an", "password": PASSWORD})
    log = await _log(env)
    assert [e.action for e in log] == ["login"] + ["login.failed"] * 5 + ["login.locked"]
    assert log[0].actor == f"user:{user.id}" and log[0].ip == "127.0.0.1"
    assert all(e.actor == "login:an" for e in log[1:])
    assert log[5].detail == {"locked": {"user": log[5].detail["locked"]["user"]}}
    assert all(PASSWORD not in str(e.detail) and "sai-sai" not in str(e.detail) for e in log)
    assert log[0].at <= log[-1].at


async def test_report_changes_and_exports_are_audited(env: Env) -> None:
    user = await env.user("an", "officer", CHIENG_AN)
    report = await env.report()
    auth = {"Authorization": f"Bearer {await env.token('an')}"}
    base = f"/api/v1/reports/{report.ref}"
    await env.client.post(f"{base}/status", json={"status": "acknowledged"}, headers=auth)
    await env.client.post(f"{base}/notes", json={"text": "gọi lại"}, headers=auth)
    await env.client.post(f"{base}/replies", json={"text": "Chào bà con"}, headers=auth)
    await env.client.post(f"{base}/assign", json={"user_id": user.id}, headers=auth)
    await env.page_login("an")
    await env.client.get("/ws/export.csv?status=all")
    log = [e for e in await _log(env) if not e.action.startswith("login")]
    assert [(e.action, e.target) for e in log] == [
        ("report.status", f"report:{report.ref}"),
        ("report.note", f"report:{report.ref}"),
        ("report.reply", f"report:{report.ref}"),
        ("report.assign", f"report:{report.ref}"),
        ("export.csv", "reports"),
    ]
    assert {e.actor for e in log} == {f"user:{user.id}"}
    assert log[0].detail == {"from": "new", "to": "acknowledged"}
    assert log[-1].detail == {"filter": "status=all", "rows": 1}
    assert "Chào bà con" not in str(log[2].detail)  # what was said lives in the history


async def test_refused_changes_leave_no_trace(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    report = await env.report()
    auth = {"Authorization": f"Bearer {await env.token('an')}"}
    r = await env.client.post(
        f"/api/v1/reports/{report.ref}/status", json={"status": "resolved"}, headers=auth
    )
    assert r.status_code == 422
    assert [e.action for e in await _log(env)] == ["login"]
