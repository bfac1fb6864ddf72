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
from bot.channels.compose import Channels, build_channels
from bot.channels.runtime import ChannelRuntime, Handler
from bot.channels.webhook import webhook_router
from bot.outbound.limiter import MemoryRateLimiter, Rate
from bot.outbound.limits import ChannelLimits, Rule
from tests.channels.fakes import FakeAdapter


@dataclass
class Rig:
    app: App
    adapter: FakeAdapter
    channels: Channels
    client: httpx.AsyncClient

    @property
    def runtime(self) -> ChannelRuntime:
        return self.channels.runtime

    async def post(self, body: dict[str, Any] | str, secret: str | None = None) -> httpx.Response:
        raw = body if isinstance(body, str) else json.dumps(body)
        headers = {"x-fake-secret": secret or self.adapter.secret}
        return await self.client.post(
            f"/webhooks/{self.adapter.name}", content=raw, headers=headers
        )

    async def settle(self) -> None:
        """Every accepted message processed and every reply handed to the adapter."""
        await self.channels.drain()


async def make_rig(
    app: App, adapter: FakeAdapter, pipeline: Handler | None = None, **kw: Any
) -> Rig:
    """The app's messaging stack rebuilt around ``adapter`` (the app's own is replaced:
    the store's commit hook now feeds this rig's queue)."""
    channels = build_channels(
        app.settings, app.store, pipeline or app.pipeline, app.engine.text,
        adapters={adapter.name: adapter}, limiter=MemoryRateLimiter(), **kw,
    )  # fmt: skip
    # pacing is tested in tests/outbound; here only what reaches the adapter matters
    free = ChannelLimits((Rule("channel", Rate(1e6, 1e6)),))
    channels.sender.limits.update(dict.fromkeys(channels.adapters, free))
    api = FastAPI()
    api.include_router(webhook_router({adapter.name: adapter}, channels.runtime.sink))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="https://bot.test")
    return Rig(app, adapter, channels, client)


@pytest.fixture
async def rig(bot_app: App) -> AsyncIterator[Rig]:
    r = await make_rig(bot_app, FakeAdapter())
    try:
        yield r
    finally:
        await r.channels.aclose(1)
        await r.client.aclose()
