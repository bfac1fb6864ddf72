"""The authorisation matrix: every workspace page and API route × every kind of caller.

Callers: anonymous, an officer of phường Chiềng An (A), an officer of xã Mai Sơn (B), the
head of bản Nam Niệu (in A; read-only), an admin. Reports: one in bản Nam Niệu (A), one in
bản Panh (A, another village), one in tiểu khu 4 (B), one with no commune. Notices: one in A,
one in B, one to every commune; only officers (their commune) and admins send or see them.

One table, one test: each row is (caller, method, route, target report) and the answer
expected. Writes get fresh reports so rows do not depend on each other. Lists must show
exactly the reports in scope. Hidden reports are 404, never 403, so codes are not confirmed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import httpx
from openpyxl import load_workbook

from tests.workspace.conftest import BASE, CHIENG_AN, MAI_SON, NAM_NIEU, PANH, TIEU_KHU_4, Env

CALLERS = ("anonymous", "officer_a", "officer_b", "head_a", "admin")
TARGETS = ("a", "a_panh", "b", "none")
SEES = {
    "anonymous": set(),
    "officer_a": {"a", "a_panh"},
    "officer_b": {"b"},
    "head_a": {"a"},
    "admin": {"a", "a_panh", "b", "none"},
}
ACTS = {"officer_a", "officer_b", "admin"}
EXPORTS = {"officer_a", "officer_b", "admin"}

# (kind, method, path, body) — body "form" routes get the caller's CSRF token added.
ONE_REPORT_PAGES = [
    ("page", "GET", "/ws/reports/{ref}", None),
    ("page", "POST", "/ws/reports/{ref}/status", {"status": "acknowledged"}),
    ("page", "POST", "/ws/reports/{ref}/assign", {"user_id": ""}),
    ("page", "POST", "/ws/reports/{ref}/note", {"text": "gọi lại sau"}),
    ("page", "POST", "/ws/reports/{ref}/reply", {"text": "Chiều nay cán bộ đến."}),
]
ONE_REPORT_API = [
    ("api", "GET", "/api/v1/reports/{ref}", None),
    ("api", "POST", "/api/v1/reports/{ref}/status", {"status": "acknowledged"}),
    ("api", "POST", "/api/v1/reports/{ref}/replies", {"text": "Chiều nay cán bộ đến."}),
    ("api", "POST", "/api/v1/reports/{ref}/notes", {"text": "gọi lại sau"}),
    ("api", "POST", "/api/v1/reports/{ref}/assign", {"user_id": None}),
]
# Notices: a scheduled one in commune A, one in B, one to every commune ("none").
SENDS = {"officer_a", "officer_b", "admin"}
NOTICE_SEES = {
    "anonymous": set(),
    "officer_a": {"a"},
    "officer_b": {"b"},
    "head_a": set(),
    "admin": {"a", "b", "none"},
}
NOTICE_LISTS = [("page", "/ws/notices"), ("api", "/api/v1/notices")]
ONE_NOTICE = [
    ("page", "GET", "/ws/notices/{id}", None),
    ("page", "POST", "/ws/notices/{id}/cancel", {}),
    ("api", "GET", "/api/v1/notices/{id}", None),
    ("api", "POST", "/api/v1/notices/{id}/cancel", None),
]
TO_NAM_NIEU = {"topic": "loans", "text": "Họp vay vốn.", "village": NAM_NIEU}
TO_NAM_NIEU_API = {"topic": "loans", "text": "Họp vay vốn.", "village_ids": [NAM_NIEU]}
# (kind, method, path, body, answer when allowed); a village of A is out of officer_b's scope
COMPOSE = [
    ("page", "GET", "/ws/notices/new", None, 200),
    ("page", "POST", "/ws/notices/new", TO_NAM_NIEU, 200),
    ("page", "POST", "/ws/notices/count", TO_NAM_NIEU, 200),
    ("page", "POST", "/ws/notices/preview", TO_NAM_NIEU, 200),
    ("page", "POST", "/ws/notices", TO_NAM_NIEU, 303),
    ("api", "POST", "/api/v1/notices/preview", TO_NAM_NIEU_API, 200),
    ("api", "POST", "/api/v1/notices", TO_NAM_NIEU_API, 201),
]
LIST_ROUTES = [
    ("page", "/ws/?status=all"),
    ("page", "/ws/map?status=all"),
    ("page", "/ws/charts"),
    ("page", "/ws/export.csv?status=all"),
    ("page", "/ws/export.xlsx?status=all"),
    ("api", "/api/v1/reports?status=all"),
]


@dataclass
class Caller:
    pages: httpx.AsyncClient
    token: str | None
    csrf: str | None


async def _callers(env: Env) -> dict[str, Caller]:
    await env.user("officer_a", "officer", CHIENG_AN)
    await env.user("officer_b", "officer", MAI_SON)
    await env.user("head_a", "head", CHIENG_AN, NAM_NIEU)
    await env.user("admin", "admin")
    transport = env.client._transport
    out: dict[str, Caller] = {}
    for name in CALLERS:
        client = httpx.AsyncClient(transport=transport, base_url=BASE, follow_redirects=False)
        if name == "anonymous":
            out[name] = Caller(client, None, None)
            continue
        token = await env.token(name)
        helper = Env(env.bot, client, env.messenger, env.clock)
        assert (await helper.page_login(name)).status_code == 303
        out[name] = Caller(client, token, await helper.csrf())
    return out


async def _reports(env: Env) -> dict[str, str]:
    return {
        "a": (await env.report(commune=CHIENG_AN, village=NAM_NIEU)).ref,
        "a_panh": (await env.report(commune=CHIENG_AN, village=PANH)).ref,
        "b": (await env.report(commune=MAI_SON, village=TIEU_KHU_4)).ref,
        "none": (await env.report(commune=None, village=None)).ref,
    }


def _expected_one(caller: str, kind: str, method: str, target: str) -> int:
    if caller == "anonymous":
        return 303 if kind == "page" else 401
    if target not in SEES[caller]:
        return 404
    if method == "GET":
        return 200
    if caller not in ACTS:
        return 403
    return 303 if kind == "page" else 200


async def _send(c: Caller, kind: str, method: str, path: str, body: dict | None) -> httpx.Response:
    if kind == "api":
        headers = {"Authorization": f"Bearer {c.token}"} if c.token else {}
        return await c.pages.request(method, path, json=body, headers=headers)
    if method == "GET":
        return await c.pages.get(path)
    data = dict(body or {})
    if c.csrf:
        data["csrf"] = c.csrf
    return await c.pages.post(path, data=data)


def _refs_in(response: httpx.Response, path: str) -> set[str]:
    if path.startswith("/ws/export.xlsx"):
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        cells = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                 for v in row if v is not None]  # fmt: skip
        text = "\n".join(cells)
    else:
        text = response.text
    return set(re.findall(r"\b[A-Z]{2}-[A-Z2-9]{6}\b", text))


async def test_authorisation_matrix(env: Env) -> None:
    callers = await _callers(env)
    failures: list[str] = []
    checked = 0
    shared = await _reports(env)  # for reads; every write gets fresh reports
    # -- lists first (only the shared reports exist): exactly what is in scope -------------
    everything = shared
    all_refs = set(everything.values())
    for kind, path in LIST_ROUTES:
        for name, caller in callers.items():
            r = await _send(caller, kind, "GET", path, None)
            checked += 1
            if name == "anonymous":
                want = 303 if kind == "page" else 401
            elif "export" in path and name not in EXPORTS:
                want = 403
            else:
                want = 200
            if r.status_code != want:
                failures.append(f"{name} GET {path}: {r.status_code} != {want}")
                continue
            if want != 200 or "charts" in path:
                continue
            visible = {everything[t] for t in SEES[name]}
            shown = _refs_in(r, path) & all_refs
            if not visible <= shown or shown - visible:
                failures.append(
                    f"{name} GET {path}: shows {sorted(shown)}, in scope {sorted(visible)}"
                )
    # -- one report: every route × caller × target (writes on fresh reports) ---------------
    for kind, method, template, body in ONE_REPORT_PAGES + ONE_REPORT_API:
        for name, caller in callers.items():
            for target in TARGETS:
                refs = shared if method == "GET" else await _reports(env)
                path = template.format(ref=refs[target])
                r = await _send(caller, kind, method, path, body)
                want = _expected_one(name, kind, method, target)
                checked += 1
                if r.status_code != want:
                    failures.append(f"{name} {method} {path} [{target}]: {r.status_code} != {want}")
                elif want == 303 and name == "anonymous":
                    if not r.headers["location"].startswith("/ws/login"):
                        failures.append(f"anonymous {path}: redirected to {r.headers['location']}")
                elif want == 404 and refs[target] in r.text:
                    failures.append(f"{name} {path}: 404 page names the hidden code")
    # -- one-time codes: a phone for one's own account; a head's code only in one's scope --
    code_cases = [
        ("GET", "/ws/codes", None, {"officer_a", "officer_b", "head_a", "admin"}),
        ("POST", "/ws/codes/phone", {}, {"officer_a", "officer_b", "head_a", "admin"}),
        ("POST", "/ws/codes/head", {"village": NAM_NIEU}, {"officer_a", "admin"}),
        ("POST", "/ws/codes/head", {"village": TIEU_KHU_4}, {"officer_b", "admin"}),
    ]
    for method, path, body, may in code_cases:
        for name, caller in callers.items():
            r = await _send(caller, "page", method, path, body)
            checked += 1
            want = 303 if name == "anonymous" else (200 if name in may else 422)
            if r.status_code != want:
                failures.append(f"{name} {method} {path} {body}: {r.status_code} != {want}")
            issued = re.search(r"\bVT-[A-Z2-9]{4}-[A-Z2-9]{4}\b", r.text)
            if (method == "POST" and want == 200) != bool(issued):
                failures.append(f"{name} {method} {path} {body}: code shown = {bool(issued)}")
    checked += await _notice_rows(env, callers, failures)
    # -- the session routes themselves -----------------------------------------------------
    r = await callers["anonymous"].pages.post("/ws/logout", data={})
    if not (r.status_code == 303 and r.headers["location"].startswith("/ws/login")):
        failures.append(f"anonymous POST /ws/logout: {r.status_code}")
    r = await callers["anonymous"].pages.delete("/api/v1/session")
    if r.status_code != 401:
        failures.append(f"anonymous DELETE /api/v1/session: {r.status_code}")
    assert failures == [], "\n".join(failures)
    notice_rows = len(NOTICE_LISTS) * 5 + len(ONE_NOTICE) * 5 * 3 + len(COMPOSE) * 5
    assert checked == (
        len(ONE_REPORT_PAGES + ONE_REPORT_API) * 5 * 4 + len(LIST_ROUTES) * 5 + 4 * 5 + notice_rows
    )


async def _notices(env: Env) -> dict[str, int]:
    """A scheduled notice in commune A, one in B, one to every commune (an admin's)."""
    out = {}
    async with env.bot.store.transaction() as tx:
        for target, commune in (("a", CHIENG_AN), ("b", MAI_SON), ("none", None)):
            notice = await tx.notices.create(
                sender="user:0", sender_role="admin", topic="loans", text="Họp vay vốn.",
                send_at=env.clock() + timedelta(days=1), commune_code=commune,
            )  # fmt: skip
            out[target] = notice.id
    return out


def _expected_notice(caller: str, kind: str, method: str, target: str) -> int:
    if caller == "anonymous":
        return 303 if kind == "page" else 401
    if caller not in SENDS:
        return 403  # whatever the notice: a head learns nothing about it
    if target not in NOTICE_SEES[caller]:
        return 404
    return 303 if kind == "page" and method == "POST" else 200


async def _notice_rows(env: Env, callers: dict[str, Caller], failures: list[str]) -> int:
    """Notices: officers in their commune, admins everywhere, heads and anonymous nowhere."""
    checked = 0
    shared = await _notices(env)
    for kind, path in NOTICE_LISTS:  # first, while only the shared notices exist
        for name, caller in callers.items():
            r = await _send(caller, kind, "GET", path, None)
            checked += 1
            want = _expected_notice(name, kind, "GET", "a")
            want = 200 if want == 404 else want  # a list is never hidden, only filtered
            if r.status_code != want:
                failures.append(f"{name} GET {path}: {r.status_code} != {want}")
                continue
            if want != 200:
                continue
            found = re.findall(r'href="/ws/notices/(\d+)"', r.text) if kind == "page" else [
                str(n["id"]) for n in r.json()["items"]]  # fmt: skip
            visible = {str(shared[t]) for t in NOTICE_SEES[name]}
            if set(found) != visible:
                failures.append(f"{name} GET {path}: shows {sorted(found)}, in scope {visible}")
    for kind, method, template, body in ONE_NOTICE:
        for name, caller in callers.items():
            for target in ("a", "b", "none"):
                ids = shared if method == "GET" else await _notices(env)
                path = template.format(id=ids[target])
                r = await _send(caller, kind, method, path, body)
                checked += 1
                want = _expected_notice(name, kind, method, target)
                if r.status_code != want:
                    failures.append(f"{name} {method} {path} [{target}]: {r.status_code} != {want}")
    for kind, method, path, body, allowed in COMPOSE:
        for name, caller in callers.items():
            r = await _send(caller, kind, method, path, body)
            checked += 1
            want = _expected_compose(name, kind, path, allowed)
            if r.status_code != want:
                failures.append(f"{name} {method} {path}: {r.status_code} != {want}")
    assert env.bot.channels is not None
    await env.bot.channels.drain()  # the notices sent here are planned before the bot closes
    return checked


def _expected_compose(caller: str, kind: str, path: str, allowed: int) -> int:
    if caller == "anonymous":
        return 303 if kind == "page" else 401
    if caller not in SENDS:
        return 403
    if caller == "officer_b" and path.endswith(("/preview", "/notices")):
        return 403  # a village of commune A
    return allowed
