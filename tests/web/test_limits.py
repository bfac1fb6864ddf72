"""Request size limits and deep JSON: refused early, with a short reason, nothing else done.

The body limit is driven at the ASGI level with a body that never ends: the app must answer
413 after reading about the limit, not wait for (or hold) the whole body.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bench import webhooks as bench
from bot.channels.webhook import too_deep
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.web.conftest import Wired

CHUNK = 1024
ADAPTERS = bench.available(bench.TARGETS)


async def _endless(api: FastAPI, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """POST a body of endless 1 KiB chunks; (status, chunks the app pulled)."""
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        if pulled > 10_000:  # 10 MiB: the app read far too much
            raise AssertionError("the app kept reading an oversize body")
        return {"type": "http.request", "body": b"[" * CHUNK, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"t"), *headers], "client": ("127.0.0.1", 5),
        "server": ("t", 80), "state": {},
    }  # fmt: skip
    await api(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], pulled


async def test_an_endless_body_is_refused_after_the_limit(wired: Wired) -> None:
    api = create_app(app_obj=wired.app)
    api.state.bot = wired.app
    limits = wired.app.settings.limits
    json_type = (b"content-type", b"application/json")
    for path in ("/sim/messages", *(f"/webhooks/{n}" for n in ADAPTERS), "/api/v1/session"):
        status, pulled = await _endless(api, path, [json_type])
        limit = limits.api_body_bytes if path.startswith("/api") else limits.body_bytes
        assert status == 413, path
        assert pulled <= limit // CHUNK + 2, path  # stopped once the count passed the limit
    # a Content-Length that lies (small) does not help
    status, _ = await _endless(api, "/sim/messages", [json_type, (b"content-length", b"10")])
    assert status == 413


async def test_the_limits_are_settings(tmp_path: Path) -> None:
    from bot.app import build_app

    settings = make_settings(tmp_path, limits={"body_bytes": 2048, "json_depth": 4})
    app = await build_app(settings)
    try:
        api = create_app(app_obj=app)
        api.state.bot = app
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api), base_url="http://t"
        ) as c:
            big = {"user": "a", "text": "x" * 3000}
            assert (await c.post("/sim/messages", json=big)).status_code == 413
            ok = await c.post("/sim/messages", json={"user": "a", "text": "x" * 1000})
            assert ok.status_code == 200
    finally:
        await app.aclose()


@pytest.mark.parametrize("path", ["/sim/messages", "/api/v1/session", "/api/v1/notices"])
async def test_deep_json_is_a_short_400(client: httpx.AsyncClient, path: str) -> None:
    """FastAPI's own parser stops at Python's recursion limit: 400, a fixed reason."""
    body = b"[" * 60_000 + b"]" * 10
    r = await client.post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code in (400, 401)  # the notices API asks who is calling first
    assert len(r.content) < 100 and b"[[" not in r.content


async def test_ordinary_json_passes(client: httpx.AsyncClient) -> None:
    nested = {"user": "nest", "text": json.dumps([[[[["không sâu"]]]]])}
    r = await client.post("/sim/messages", json=nested)
    assert r.status_code == 200


def test_too_deep_counts_structure_not_strings() -> None:
    assert not too_deep(b'{"a": "' + b"[" * 500 + b'"}', 32)  # brackets inside a string
    assert not too_deep(b'{"a": "\\"' + b"[" * 500 + b'"}', 32)  # after an escaped quote
    assert too_deep(b"[" * 33, 32)
    assert not too_deep(b"[" * 32 + b"]" * 32, 32)
    assert not too_deep(b"[" + b"[1]," * 1000 + b"[1]]", 32)  # wide, not deep
    assert too_deep(b'{"a":' * 40 + b"1" + b"}" * 40, 32)
