"""``/healthz`` (alive), ``/readyz`` (can serve) and ``/metrics`` (Prometheus).

``/healthz`` answers from the process alone: cheap, no dependency, for a liveness probe.
``/readyz`` runs each check below at once, each within :data:`TIMEOUT` seconds, and answers
``{"status": "ok"|"fail", "checks": {name: {"ok": ..., ...}}}``, 503 when any failed:

- ``database``: ``SELECT 1`` through the store's pool;
- ``redis``: ``PING`` on a fresh connection (only when ``BANBOT_REDIS_URL`` is set);
- ``rasa``: ``GET <rasa_url>/`` answers 200 (only when ``BANBOT_NLU=rasa``; the built-in NLU
  still answers when Rasa is away, but the deployment is not what it was configured to be);
- ``worker``: the age of the queue runner's heartbeat (:mod:`bot.jobs.heartbeat`) is under
  ``BANBOT_HEARTBEAT_STALE_SECONDS``.

A failure says only the exception's class: its text may hold a URL with a password.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from redis.asyncio import Redis
from sqlalchemy import text

from bot import metrics
from bot.app import App

log = logging.getLogger(__name__)
TIMEOUT = 2.0
Check = Callable[[], Awaitable[dict[str, Any]]]
router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    bot: App | None = getattr(request.app.state, "bot", None)
    if bot is None:
        return JSONResponse({"status": "fail", "checks": {"app": _fail("starting")}}, 503)
    ok, checks = await readiness(bot)
    return JSONResponse({"status": "ok" if ok else "fail", "checks": checks}, 200 if ok else 503)


@router.get("/metrics")
async def prometheus(request: Request) -> Response:
    bot: App | None = getattr(request.app.state, "bot", None)
    if bot is not None and bot.channels is not None:
        try:
            metrics.queue_depth(await bot.channels.queue.depth())
        except Exception as exc:  # Redis away: the other metrics still count
            log.warning("queue depth unknown (%s)", type(exc).__name__)
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


async def readiness(bot: App) -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run every check that applies to ``bot``; True when all passed."""
    checks: dict[str, Check] = {"database": lambda: _database(bot)}
    if bot.settings.redis_url is not None:
        checks["redis"] = lambda: _redis(str(bot.settings.redis_url))
    if bot.settings.nlu == "rasa":
        checks["rasa"] = lambda: _rasa(bot.settings.rasa_url)
    if bot.channels is not None:
        checks["worker"] = lambda: _worker(bot)
    results = await asyncio.gather(*(_timed(check) for check in checks.values()))
    answer = dict(zip(checks, results, strict=True))
    for name, result in answer.items():
        metrics.ready_check(name, result["ok"])
    return all(r["ok"] for r in answer.values()), answer


async def _timed(check: Check) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(TIMEOUT):
            result = await check()
    except TimeoutError:
        result = _fail("timeout")
    except Exception as exc:
        result = _fail(type(exc).__name__)
    result.setdefault("ok", True)
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _fail(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


async def _database(bot: App) -> dict[str, Any]:
    async with bot.store.read() as tx:
        await tx.session.execute(text("SELECT 1"))
    return {}


async def _redis(url: str) -> dict[str, Any]:
    client = Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
    try:
        await client.ping()  # type: ignore[misc]  # redis-py's ping is typed sync|async
    finally:
        await client.aclose()
    return {}


async def _rasa(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        response = await client.get(url.rstrip("/") + "/")
    return {} if response.status_code == 200 else _fail(f"http {response.status_code}")


async def _worker(bot: App) -> dict[str, Any]:
    if bot.channels is None:
        return _fail("no queue")
    last = await bot.channels.heartbeat.last()
    if last is None:
        return _fail("no heartbeat")
    age = round(max(0.0, time.time() - last), 1)
    stale = bot.settings.heartbeat_stale_seconds
    return {"ok": age <= stale, "age_seconds": age} | ({} if age <= stale else {"error": "stale"})
