"""/healthz is alive whatever happens; /readyz names each check and answers 503 when one
fails: a dead Redis, an unreachable Rasa, a queue runner whose heartbeat stopped."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from redis.asyncio import Redis

from bot.app import App, build_app
from bot.jobs.heartbeat import MemoryHeartbeat, RedisHeartbeat
from bot.web.app import create_app
from tests.conftest import make_settings

DEAD = "127.0.0.1:1"  # nothing listens on port 1


@asynccontextmanager
async def running(app: App) -> AsyncIterator[httpx.AsyncClient]:
    """The web app with its lifespan run (the queue's runner and heartbeat start)."""
    api = create_app(app_obj=app)
    async with api.router.lifespan_context(api):
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://ops.test") as client:
            yield client


async def first_beat(app: App) -> None:
    assert app.channels is not None
    async with asyncio.timeout(10):
        # the beat is a task of its own: look, rather than wait on an event it does not set
        while await app.channels.heartbeat.last() is None:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_ready_on_the_embedded_defaults(bot_app: App) -> None:
    async with running(bot_app) as client:
        await first_beat(bot_app)
        answer = await client.get("/readyz")
        alive = await client.get("/healthz")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "ok" and set(body["checks"]) == {"database", "worker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert 0 <= body["checks"]["worker"]["age_seconds"] < 10
    assert alive.json() == {"status": "ok"}


async def test_a_stale_heartbeat_fails_readiness(bot_app: App) -> None:
    assert bot_app.channels is not None
    bot_app.channels.heartbeat = MemoryHeartbeat(clock=lambda: time.time() - 3600)
    async with running(bot_app) as client:
        await first_beat(bot_app)
        answer = await client.get("/readyz")
        alive = await client.get("/healthz")
    assert answer.status_code == 503
    worker = answer.json()["checks"]["worker"]
    assert worker["ok"] is False and worker["error"] == "stale"
    assert worker["age_seconds"] >= 3600
    assert answer.json()["checks"]["database"]["ok"] is True
    assert alive.status_code == 200  # alive: it is not the process that is broken


async def test_a_dead_redis_and_an_unreachable_rasa_fail_readiness(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, redis_url=f"redis://{DEAD}/0", nlu="rasa", rasa_url=f"http://{DEAD}"
    )
    app = await build_app(settings)
    try:
        async with running(app) as client:
            await first_beat(app)
            answer = await client.get("/readyz")
    finally:
        await app.aclose()
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert set(checks) == {"database", "redis", "rasa", "worker"}
    assert checks["redis"] == {"ok": False, "error": "ConnectionError", "ms": checks["redis"]["ms"]}
    assert checks["rasa"]["ok"] is False
    assert checks["database"]["ok"] is True and checks["worker"]["ok"] is True
    assert DEAD not in answer.text  # the reason is a class name, never a URL


async def test_with_saq_the_workers_heartbeat_in_redis_decides(
    tmp_path: Path, redis_url: str
) -> None:
    name = f"test-{uuid.uuid4().hex[:10]}"
    settings = make_settings(tmp_path, redis_url=redis_url, queue="saq", queue_name=name)
    app = await build_app(settings)
    worker = RedisHeartbeat(redis_url, f"banbot:heartbeat:{name}")
    try:
        async with running(app) as client:  # an app process: it does not beat itself
            before = await client.get("/readyz")
            await worker.beat()  # as a `banbot worker` does every 5 s
            after = await client.get("/readyz")
    finally:
        cleanup = Redis.from_url(redis_url)
        await cleanup.delete(worker.key)
        await cleanup.aclose()
        await worker.aclose()
        await app.aclose()
    assert before.status_code == 503
    assert before.json()["checks"]["worker"]["error"] == "no heartbeat"
    assert after.status_code == 200, after.text
    assert set(after.json()["checks"]) == {"database", "redis", "worker"}
