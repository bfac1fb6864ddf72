"""Logins: Argon2 hashes, cookies, CSRF, lockout with backoff, session expiry, disabling."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from bot.store.models import WebUser
from bot.web.workspace.passwords import hash_password, verify_password
from tests.workspace.conftest import BASE, CHIENG_AN, PASSWORD, Env


async def _session(env: Env, username: str, password: str) -> httpx.Response:
    return await env.client.post(
        "/api/v1/session", json={"username": username, "password": password}
    )


async def _me(env: Env, token: str) -> int:
    r = await env.client.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
    return r.status_code


def test_hashes_are_argon2id_salted_and_verify() -> None:
    a, b = hash_password(PASSWORD), hash_password(PASSWORD)
    assert a.startswith("$argon2id$") and a != b
    assert verify_password(a, PASSWORD)
    assert not verify_password(a, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)  # unknown user: same work, always False
    assert not verify_password("not-a-hash", PASSWORD)
    with pytest.raises(ValueError, match="ít nhất"):
        hash_password("short")


async def test_login_gives_token_role_and_a_strict_cookie(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    r = await _session(env, "an", PASSWORD)
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "officer" and len(body["token"]) >= 40
    cookie = r.headers["set-cookie"].lower()
    assert "banbot_ws=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # env=test: plain http on localhost
    assert await _me(env, body["token"]) == 200
    async with env.bot.store.transaction() as tx:
        found = await tx.users.password_hash("an")
    assert found is not None and found[1].startswith("$argon2id$") and PASSWORD not in found[1]


async def test_cookie_is_secure_outside_development(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    env.bot.settings.workspace.cookie_secure = True
    r = await _session(env, "an", PASSWORD)
    assert "secure" in r.headers["set-cookie"].lower()


async def test_wrong_password_and_unknown_user_look_the_same(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    wrong = await _session(env, "an", "sai-mat-khau-roi")
    unknown = await _session(env, "khong-co-ai", "sai-mat-khau-roi")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    page = await env.page_login("an", "sai-mat-khau-roi")
    assert page.status_code == 401 and "không đúng" in page.text


async def test_lockout_with_backoff_per_username(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    for _ in range(5):
        assert (await _session(env, "an", "sai-mat-khau-roi")).status_code == 401
    locked = await _session(env, "an", PASSWORD)  # right password, but locked: not checked
    assert locked.status_code == 401 and int(locked.headers["retry-after"]) == 60
    env.clock.advance(seconds=61)
    assert (await _session(env, "an", "sai-mat-khau-roi")).status_code == 401  # 6th: 120 s
    env.clock.advance(seconds=61)
    assert (await _session(env, "an", PASSWORD)).status_code == 401
    env.clock.advance(seconds=60)
    assert (await _session(env, "an", PASSWORD)).status_code == 200
    # A success clears the count: the next failure does not lock.
    assert (await _session(env, "an", "sai-mat-khau-roi")).status_code == 401
    assert (await _session(env, "an", PASSWORD)).status_code == 200


async def test_an_unknown_username_locks_the_same_way(env: Env) -> None:
    for _ in range(5):
        await _session(env, "khong-co-ai", "sai-mat-khau-roi")
    r = await _session(env, "khong-co-ai", "sai-mat-khau-roi")
    assert r.status_code == 401 and "retry-after" in r.headers


async def test_lockout_per_address_across_usernames(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    env.bot.settings.workspace.lockout_ip_after = 3
    for name in ("a1", "a2", "a3"):
        await _session(env, name, "sai-mat-khau-roi")
    assert (await _session(env, "an", PASSWORD)).status_code == 401
    page = await env.page_login("an", PASSWORD)
    assert page.status_code == 401 and "thử lại sau" in page.text


async def test_sessions_expire_when_idle_and_at_their_limit(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    token = (await _session(env, "an", PASSWORD)).json()["token"]
    env.clock.advance(minutes=119)
    assert await _me(env, token) == 200  # used: idle expiry moves on
    env.clock.advance(minutes=121)
    assert await _me(env, token) == 401
    token = (await _session(env, "an", PASSWORD)).json()["token"]
    for _ in range(11):
        env.clock.advance(minutes=60)
        assert await _me(env, token) == 200
    env.clock.advance(minutes=61)  # 12 h 01 after login, though used an hour ago
    assert await _me(env, token) == 401


async def test_logout_and_disabling_end_sessions(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    token = (await _session(env, "an", PASSWORD)).json()["token"]
    r = await env.client.delete("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and await _me(env, token) == 401
    token = (await _session(env, "an", PASSWORD)).json()["token"]
    async with env.bot.store.transaction() as tx:
        await tx.users.set_disabled("an")
    assert await _me(env, token) == 401
    assert (await _session(env, "an", PASSWORD)).status_code == 401


async def test_every_form_needs_the_session_csrf_token(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    report = await env.report()
    assert (await env.page_login("an")).status_code == 303
    path = f"/ws/reports/{report.ref}/note"
    assert (await env.client.post(path, data={"text": "x"})).status_code == 403
    assert (await env.client.post(path, data={"text": "x", "csrf": "sai"})).status_code == 403
    token = await env.csrf()
    assert (await env.client.post(path, data={"text": "x", "csrf": token})).status_code == 303
    # htmx sends it as a header instead
    r = await env.client.post(path, data={"text": "y"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 303
    assert (await env.client.post("/ws/logout", data={})).status_code == 403


async def test_login_form_needs_its_own_csrf_cookie(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    async with httpx.AsyncClient(transport=env.client._transport, base_url=BASE) as fresh:
        r = await fresh.post("/ws/login", data={"username": "an", "password": PASSWORD,
                                               "csrf": "doan-bua"})  # fmt: skip
    assert r.status_code == 403 and "banbot_ws=" not in r.headers.get("set-cookie", "")


async def test_api_with_the_cookie_needs_the_csrf_header(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    report = await env.report()
    r = await _session(env, "an", PASSWORD)  # sets the cookie on env.client
    csrf = r.json()["csrf"]
    path = f"/api/v1/reports/{report.ref}/notes"
    assert (await env.client.post(path, json={"text": "x"})).status_code == 403
    ok = await env.client.post(path, json={"text": "x"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200


async def test_login_redirect_stays_inside_the_workspace(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    form = await env.client.get("/ws/login", params={"next": "//evil.example/ws/"})
    assert 'name="next" value="/ws/"' in form.text
    r = await env.client.get("/ws/reports/TT-AAAAAA")
    assert r.status_code == 303 and r.headers["location"] == "/ws/login?next=/ws/reports/TT-AAAAAA"


async def test_pages_carry_security_headers(env: Env) -> None:
    r = await env.client.get("/ws/login")
    assert r.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"


async def test_htmx_poll_after_expiry_redirects_the_whole_page(env: Env) -> None:
    r = await env.client.get("/ws/?since=1", headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["hx-redirect"].startswith("/ws/login")


async def test_users_are_never_created_by_default(env: Env) -> None:
    async with env.bot.store.transaction() as tx:
        assert await tx.users.all() == []
    async with env.bot.store.engine.connect() as conn:
        assert (await conn.execute(select(WebUser))).first() is None


async def test_a_login_clears_expired_sessions(env: Env) -> None:
    from sqlalchemy import func

    from bot.store.models import WebSession

    await env.user("an", "officer", CHIENG_AN)
    await _session(env, "an", PASSWORD)
    env.clock.advance(hours=13)
    await _session(env, "an", PASSWORD)
    async with env.bot.store.engine.connect() as conn:
        left = (await conn.execute(select(func.count()).select_from(WebSession))).scalar_one()
    assert left == 1


async def test_slow_links_get_compressed_pages_and_cached_assets(env: Env) -> None:
    gz = {"Accept-Encoding": "gzip"}
    page = await env.client.get("/ws/login", headers=gz)
    assert (
        page.headers["content-encoding"] == "gzip" and page.headers["cache-control"] == "no-store"
    )
    htmx = await env.client.get("/static/vendor/htmx-2.0.11.min.js", headers=gz)
    assert htmx.status_code == 200 and htmx.headers["content-encoding"] == "gzip"
    assert "immutable" in htmx.headers["cache-control"]
    css = await env.client.get("/ws/static/ws.css")
    assert css.status_code == 200 and css.headers["cache-control"] == "public, max-age=3600"
