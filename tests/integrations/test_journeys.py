"""Every resident journey, end to end through every channel adapter.

A signed provider webhook goes in (the same request builders as ``bench/webhooks.py``), the
real route, runtime, pipeline, engine and SQL store run, and what the adapter is asked to send
is captured (each adapter's own tests cover the provider API call behind ``send``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bench import webhooks as bench
from bot.app import App, build_app
from bot.channels.base import SendResult
from bot.domain.messages import Outbound
from bot.web.app import create_app

# A step is a text to send, or (marker, text): send only if the last replies contain the marker
# (location and photo are asked on chat apps, not by SMS).
Step = str | tuple[str, str]
YES_12 = ["co"] * 12
JOURNEYS: dict[str, tuple[list[Step], str]] = {
    "eligibility": (
        ["kiem tra ho ngheo", "ban nam nieu", "4", "1", "1tr", "co", "co", "co", *YES_12, "co"],
        r"RS-[A-Z2-9]{6}",
    ),
    "household_change": (
        ["xin chao", "2", "1", "vo toi sinh con gai", "hom qua", "ban panh phuong chieng an", "co"],
        r"BD-[A-Z2-9]{6}",
    ),
    "disaster": (
        [
            *["xin chao", "3", "khong", "1", "ban nam nieu", "5", "5", "4"],
            *[("vị trí", "bo qua"), ("ảnh", "bo qua"), "co"],
        ],
        r"TT-[A-Z2-9]{6}",
    ),
    "loans": (["xin chao", "4", "1", "co", "1"], r"Đã đăng ký nhận tin"),
    "report_status": (["xin chao", "6", "can giup", "menu", "5", "1"], r"gần đây[\s\S]*CB-"),
    "handover": (["xin chao", "6", "hoi ve the bao hiem y te"], r"CB-[A-Z2-9]{6}"),
}
ADAPTERS = sorted(bench.available(bench.TARGETS))


class Resident:
    """One resident writing to the bot through one adapter's webhook."""

    def __init__(self, app: App, name: str, client: httpx.AsyncClient, user: int) -> None:
        self.app, self.name, self.client, self.user = app, name, client, user
        self.sent: list[Outbound] = []
        self.n = user * 1000

    async def say(self, text: str) -> str:
        self.n += 1
        url = f"{bench.BASE}/webhooks/{self.name}"
        body, headers = bench.TARGETS[self.name].request(self.n, url, text, self.user)
        before = len(self.sent)
        r = await self.client.post(url, content=body, headers=headers)
        assert r.status_code == 200, r.text
        assert self.app.channels is not None
        await self.app.channels.drain()
        return "\n".join(m.text for m in self.sent[before:])


@pytest.fixture(params=ADAPTERS)
async def channel(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Resident]:
    name: str = request.param
    app = await build_app(bench.bench_settings(tmp_path, name, bench.TARGETS[name], None))
    bench.unlimited(app)  # no send limits: the journey, not the pacing, is under test
    assert app.channels is not None
    api = create_app(app.settings, app_obj=app)
    transport = httpx.ASGITransport(app=api)
    async with (
        api.router.lifespan_context(api),
        httpx.AsyncClient(transport=transport, base_url=bench.BASE) as client,
    ):
        resident = Resident(app, name, client, user=7)

        async def record(message: Outbound) -> SendResult:
            resident.sent.append(message)
            return SendResult(external_id=f"out-{len(resident.sent)}")

        for adapter in app.channels.adapters.values():
            adapter.send = record  # type: ignore[method-assign]
        yield resident
    await app.aclose()


@pytest.mark.parametrize("journey", sorted(JOURNEYS))
async def test_journey_through_the_adapter(channel: Resident, journey: str) -> None:
    steps, expected = JOURNEYS[journey]
    last = ""
    for step in steps:
        if isinstance(step, tuple):
            marker, text = step
            if marker not in last:
                continue
        else:
            text = step
        last = await channel.say(text)
        assert last.strip(), f"{channel.name}/{journey}: no reply to {text!r}"
    assert re.search(expected, last), f"{channel.name}/{journey} ended with: {last[-400:]}"
    for message in channel.sent:
        assert message.address.split(":")[0] in {"telegram", "zalo", "zalobot", "tel"}
