"""An HTTP client on the whole bot (embedded defaults), through the ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench import webhooks as bench
from bot.app import App
from bot.channels.base import SendResult
from bot.domain.messages import Outbound
from bot.web.app import create_app
from tests.conftest import make_settings


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


def record_sends(app: App) -> list[Outbound]:
    """Replace every adapter's provider send by a fake that answers at once; the list it
    returns fills with what the bot sent."""
    assert app.channels is not None
    sent: list[Outbound] = []

    async def record(message: Outbound) -> SendResult:
        sent.append(message)
        return SendResult(external_id=f"out-{len(sent)}")

    for adapter in app.channels.adapters.values():
        adapter.send = record  # type: ignore[method-assign]
    return sent


@dataclass
class Wired:
    """A whole bot with every webhook adapter enabled (``app``), a client at the public URL
    the providers sign for (``client``), and what the bot tried to send (``sent``)."""

    app: App
    client: httpx.AsyncClient
    sent: list[Outbound] = field(default_factory=list)


@pytest.fixture
async def wired(tmp_path: Path) -> AsyncIterator[Wired]:
    """Every adapter enabled with test secrets (the request builders of ``bench/webhooks.py``
    sign for them); provider sends replaced by a recording fake (nothing leaves the machine),
    without send limits."""
    from bot.app import build_app

    sections = {
        {"twilio_sms": "twilio"}.get(name, name): {"enabled": True, **bench.TARGETS[name].settings}
        for name in bench.available(bench.TARGETS)
    }
    app = await build_app(make_settings(tmp_path, public_url=bench.BASE, **sections))
    bench.unlimited(app)  # no send limits: a 1-a-minute SIM would make every example wait
    api = create_app(app_obj=app)
    api.state.bot = app
    transport = httpx.ASGITransport(app=api)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=bench.BASE) as c:
            yield Wired(app, c, record_sends(app))
    finally:
        await app.aclose()
