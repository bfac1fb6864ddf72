"""An HTTP client on the whole bot (embedded defaults), through the ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.app import App
from bot.web.app import create_app


class Sim:
    """Talks to ``POST /sim/messages`` as one simulated user."""

    def __init__(self, client: httpx.AsyncClient, user: str, channel: str = "telegram") -> None:
        self.client = client
        self.user = user
        self.channel = channel
        self.last: list[dict[str, Any]] = []

    async def send(self, text: str = "", **extra: Any) -> list[dict[str, Any]]:
        body = {"user": self.user, "channel": self.channel, "text": text, **extra}
        r = await self.client.post("/sim/messages", json=body)
        assert r.status_code == 200, r.text
        self.last = r.json()["replies"]
        return self.last

    async def click(self, title: str) -> list[dict[str, Any]]:
        for reply in reversed(self.last):
            for b in reply["buttons"]:
                if b["title"] == title:
                    return await self.send(b["title"], button=b["payload"])
        raise AssertionError(f"no button {title!r} in {self.last}")

    @property
    def text(self) -> str:
        return "\n".join(r["text"] for r in self.last)


@pytest.fixture
async def client(bot_app: App) -> AsyncIterator[httpx.AsyncClient]:
    api = create_app(app_obj=bot_app)
    api.state.bot = bot_app  # ASGITransport does not run the lifespan
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as c:
        yield c
