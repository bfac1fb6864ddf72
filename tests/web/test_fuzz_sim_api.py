"""Hostile input at the simulator (``/sim/messages``, ``/sim/outbox/{user}``) and the JSON API
(``/api/v1``), through the whole app.

- the simulator: any body (random JSON, wrong types, invalid UTF-8, lone surrogates, deep
  nesting, huge) is answered 200 or a short 4xx that does not echo it, and a refused body
  changes nothing;
- the API without a valid token: every route, any body, any forged token: 401 (or a 4xx the
  route gives before asking who calls), and nothing changes;
- the API with an officer's token: any body to every route is never a server error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.web.app import create_app
from tests.conftest import make_settings
from tests.web.conftest import Wired
from tests.web.hostile import bodies, content_types, fuzz, json_values, no_echo, snapshot
from tests.workspace.conftest import CHIENG_AN, Env, running

FUZZ = settings(fuzz, max_examples=50)
# a path parameter: one segment (Starlette decodes %2F before routing; empty, "." and ".."
# would make it another path, which redirect_slashes answers 307)
PARTS = st.text(min_size=1, max_size=100).filter(lambda p: p not in (".", "..") and "/" not in p)
# A 422 lists where and why for each field; a few fields, never the values.
REASON = 1500

sim_fields = st.fixed_dictionaries(
    {},
    optional={
        "user": json_values | st.text(max_size=80),
        "channel": json_values | st.sampled_from(["telegram", "zalo", "sms"]),
        "text": json_values | st.text(max_size=300) | st.just("x" * 20_001),
        "button": json_values,
        "location": json_values | st.fixed_dictionaries({"lat": json_values, "lon": json_values}),
        "media": json_values,
        "message_id": json_values,
        "extra": json_values,
    },
)


@FUZZ
@given(
    body=bodies() | sim_fields.map(lambda d: json.dumps(d).encode()),
    content_type=content_types(),
)
async def test_the_simulator_refuses_what_it_cannot_take_and_changes_nothing(
    wired: Wired, body: bytes, content_type: str | None
) -> None:
    before = await snapshot(wired)
    headers = {"content-type": content_type} if content_type else {}
    r = await wired.client.post("/sim/messages", content=body, headers=headers)
    assert r.status_code in (200, 400, 413, 422), r.status_code
    if r.status_code != 200:
        assert no_echo(r.content, body, REASON)
        assert await snapshot(wired) == before


@FUZZ
@given(user=PARTS, after=st.text(max_size=30) | st.integers().map(str))
async def test_the_outbox_takes_any_user_and_position(wired: Wired, user: str, after: str) -> None:
    raw = quote(user.encode("utf-8", "surrogatepass"), safe="")  # any bytes, as a path part
    r = await wired.client.get(f"/sim/outbox/{raw}", params={"after": after})
    assert r.status_code in (200, 404, 422), r.status_code
    if r.status_code == 200:
        assert r.json()["messages"] == []


def api_routes(api: Any) -> list[tuple[str, str]]:
    """(method, path) of every /api/v1 operation in the OpenAPI document."""
    paths: dict[str, dict[str, Any]] = api.openapi()["paths"]
    return sorted(
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/v1")
        for method in operations
    )


def fill(path: str, value: str) -> str:
    return path.replace("{ref}", value).replace("{notice_id}", value)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with running(make_settings(tmp_path)) as found:
        await found.user("canbo", "officer", CHIENG_AN)
        await found.report()
        yield found


@pytest.fixture
async def officer(env: Env) -> tuple[Env, str]:
    """The env and a commune officer's Bearer token."""
    return env, await env.token("canbo")


async def rows(env: Env) -> dict[str, Any]:
    """The rows of every table but the audit (a failed login is audited, on purpose)."""
    w = Wired(env.bot, env.client)
    counts = await snapshot(w)
    counts.pop("audit_events")
    return counts


ROUTES = api_routes(create_app(make_settings(Path("/nonexistent"))))


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    part=st.sampled_from(["1", "TT-AAAAAA", "-1", "99999999999999999999"]) | PARTS,
    token=st.none() | st.text(max_size=80) | st.just("Bearer ") | st.binary(max_size=40).map(repr),
    body=bodies() | json_values.map(lambda v: json.dumps(v).encode()),
)
async def test_the_api_without_a_valid_token_changes_nothing(
    env: Env, route: tuple[str, str], part: str, token: str | None, body: bytes
) -> None:
    method, path = route
    before = await rows(env)
    headers: dict[str, str | bytes] = {"content-type": "application/json"}
    if token is not None:  # any bytes a header can carry (no CR / LF)
        raw = f"Bearer {token}".encode("utf-8", "surrogatepass")
        headers["authorization"] = raw.replace(b"\r", b"").replace(b"\n", b"")
    url = fill(path, quote(part.encode("utf-8", "surrogatepass"), safe=""))
    r = await env.client.request(method, url, content=body, headers=headers)
    if path == "/api/v1/session" and method == "POST":
        assert r.status_code in (400, 401, 413, 422), r.status_code  # nobody has that password
    else:
        assert r.status_code in (400, 401, 404, 405, 413, 422), (route, r.status_code)
    assert no_echo(r.content, body, REASON)
    assert await rows(env) == before


@FUZZ
@given(
    route=st.sampled_from([r for r in ROUTES if r != ("DELETE", "/api/v1/session")]),
    part=st.sampled_from(["1", "TT-AAAAAA", "ref"]) | PARTS,
    body=bodies() | json_values.map(lambda v: json.dumps(v).encode()),
)
async def test_an_officer_sending_anything_never_gets_a_server_error(
    officer: tuple[Env, str], route: tuple[str, str], part: str, body: bytes
) -> None:
    env, token = officer
    method, path = route
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    url = fill(path, quote(part.encode("utf-8", "surrogatepass"), safe=""))
    r = await env.client.request(method, url, content=body, headers=headers)
    assert r.status_code < 500, (route, r.status_code)
    if r.status_code >= 400:
        assert no_echo(r.content, body, REASON)


async def test_numbers_past_an_id_column_are_a_bad_field(officer: tuple[Env, str]) -> None:
    """schemathesis found ``?after=2**63`` a 500 (SQLite's OverflowError) and ``2**31`` one on
    PostgreSQL (asyncpg: out of int32 range)."""
    env, token = officer
    auth = {"authorization": f"Bearer {token}"}
    big = str(2**31)
    ref = (await env.report()).ref
    for method, url, body in [
        ("GET", f"/sim/outbox/someone?after={big}", None),
        ("GET", f"/api/v1/notices/{big}", None),
        ("POST", f"/api/v1/notices/{big}/cancel", None),
        ("GET", f"/api/v1/reports?offset={big}", None),
        ("POST", f"/api/v1/reports/{ref}/assign", {"user_id": 2**31}),
    ]:
        r = await env.client.request(method, url, json=body, headers=auth)
        assert r.status_code == 422, (url, r.status_code)
        assert big not in r.text
    for query in ("status", "kind"):  # an unknown value is refused, not repeated
        r = await env.client.get(f"/api/v1/reports?{query}=0912345678", headers=auth)
        assert r.status_code == 422 and "0912345678" not in r.text
    # "²".isdigit() is true and int("²") a ValueError: the queue's live poll was a 500
    page = await env.client.get("/ws/?since=²", headers={**auth, "hx-request": "true"})
    assert page.status_code < 500
