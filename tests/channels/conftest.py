"""A runtime wired to the real bot (embedded defaults) with a fake adapter behind the route."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.app import App
from bot.channels.runtime import ChannelRuntime, Handler
from bot.channels.webhook import webhook_router
from bot.outbound.dispatcher import Dispatcher
from bot.outbound.limiter import MemoryRateLimiter
from tests.channels.fakes import FakeAdapter, FakeClock


@dataclass
class Rig:
    app: App
    adapter: FakeAdapter
    dispatcher: Dispatcher
    runtime: ChannelRuntime
    client: httpx.AsyncClient

    async def post(self, body: dict[str, Any] | str, secret: str | None = None) -> httpx.Response:
        raw = body if isinstance(body, str) else json.dumps(body)
        headers = {"x-fake-secret": secret or self.adapter.secret}
        return await self.client.post(
            f"/webhooks/{self.adapter.name}", content=raw, headers=headers
        )

    async def settle(self) -> None:
        """Every accepted message processed and every reply handed to the adapter."""
        await self.runtime.drain()
        await self.dispatcher.aclose()


async def make_rig(
    app: App, adapter: FakeAdapter, pipeline: Handler | None = None, **kw: Any
) -> Rig:
    clock = FakeClock()
    dispatcher = Dispatcher(
        {adapter.name: adapter}, app.store, MemoryRateLimiter(clock=clock),
        sleep=clock.sleep, clock=clock, rand=lambda: 0.0,
    )  # fmt: skip
    runtime = ChannelRuntime(pipeline or app.pipeline, dispatcher, app.store, **kw)
    api = FastAPI()
    api.include_router(webhook_router({adapter.name: adapter}, runtime.sink))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="https://bot.test")
    return Rig(app, adapter, dispatcher, runtime, client)


@pytest.fixture
async def rig(bot_app: App) -> AsyncIterator[Rig]:
    r = await make_rig(bot_app, FakeAdapter())
    try:
        yield r
    finally:
        await r.runtime.aclose(1)
        await r.dispatcher.aclose(1)
        await r.client.aclose()
