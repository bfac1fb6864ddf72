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
from bot.domain.messages import Outbound
from bot.render import unaccent
from bot.web.app import create_app
from tests.web.conftest import record_sends

# A step is a text to send, or (marker, text): send only if the last replies contain the marker
# (location and photo are asked on chat apps, not by SMS). Residents here write without
# diacritics, so SMS replies come without them too: the expected patterns are unaccented and
# matched against the replies with their diacritics removed.
Step = str | tuple[str, str]
JOURNEYS: dict[str, tuple[list[Step], str]] = {
    "eligibility": (
        ["kiem tra ho ngheo", "4", "ban nam nieu", "1tr moi nguoi moi thang", "1", "1", "1", "1"],
        r"RS-[A-Z2-9]{6}",
    ),
    "household_change": (
        ["xin chao", "2", "1", "Lo Thi Mai", "hom qua", "ban panh phuong chieng an", "co"],
        r"BD-[A-Z2-9]{6}",
    ),
    "disaster": (
        [
            *["xin chao", "3", "khong", "ban nam nieu", "1", "5", "5", "4", "1"],
            *[("Gui vi tri", "bo qua"), ("gui anh", "bo qua")],
        ],
        r"Da ghi du vao phan anh TT-[A-Z2-9]{6}",
    ),
    "loans": (["xin chao", "4", "1", "co", "1"], r"Da dang ky nhan tin"),
    "report_status": (["xin chao", "6", "can giup", "menu", "5", "1"], r"gan day[\s\S]*CB-"),
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
        resident.sent = record_sends(app)
        yield resident
    await app.aclose()


@pytest.mark.parametrize("journey", sorted(JOURNEYS))
async def test_journey_through_the_adapter(channel: Resident, journey: str) -> None:
    steps, expected = JOURNEYS[journey]
    last = ""
    for step in steps:
        if isinstance(step, tuple):
            marker, text = step
            if marker not in unaccent(last):
                continue
        else:
            text = step
        last = await channel.say(text)
        assert last.strip(), f"{channel.name}/{journey}: no reply to {text!r}"
    assert re.search(expected, unaccent(last)), f"{channel.name}/{journey} ended: {last[-400:]}"
    for message in channel.sent:
        assert message.address.split(":")[0] in {"telegram", "zalo", "zalobot", "tel"}
