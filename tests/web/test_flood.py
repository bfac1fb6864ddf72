"""One sender cannot flood the bot or the officers: per-address rate with one "please wait",
a per-IP limit on the simulator, an hourly cap on new reports (bot/flood.py)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from bench import webhooks as bench
from bot.app import App, build_app
from bot.config import InputLimits
from bot.domain.messages import Inbound
from bot.flood import FloodGate, sender_tag
from bot.i18n import system_text
from bot.outbound.limiter import MemoryRateLimiter, RedisRateLimiter
from bot.store.models import Report
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.web.conftest import Sim

WAIT = system_text("flood", "vi")
CAP = system_text("report_cap", "vi")
HOUSEHOLD = ["xin chao", "2", "1", "Lo Thi Mai", "hom qua", "ban panh phuong chieng an", "co"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def msg(address: str = "tel:+84912345678", **kw: object) -> Inbound:
    return Inbound(adapter="android_sms", address=address, external_id="x", **kw)  # type: ignore[arg-type]


async def test_the_gate_lets_a_burst_through_then_tells_once_a_minute() -> None:
    clock = Clock()
    gate = FloodGate(MemoryRateLimiter(clock), InputLimits(sender_per_minute=6, sender_burst=3))
    assert [await gate.admit(msg()) for _ in range(3)] == ["pass"] * 3
    assert [await gate.admit(msg()) for _ in range(3)] == ["tell", "drop", "drop"]
    assert await gate.admit(msg("tel:+84987654321")) == "pass"  # another sender: its own rate
    assert await gate.admit(msg(event="stop")) == "pass"  # leaving is never refused
    clock.now += 10  # 6 a minute: one more message every 10 s
    assert await gate.admit(msg()) == "pass"
    assert await gate.admit(msg()) == "drop"  # told less than a minute ago
    clock.now += 60  # the bucket is full again (3), and a new minute to be told in
    assert [await gate.admit(msg()) for _ in range(5)] == ["pass"] * 3 + ["tell", "drop"]


async def test_on_redis_every_process_shares_the_budget_and_keys_hold_no_address(
    redis_url: str,
) -> None:
    a, b = Redis.from_url(redis_url), Redis.from_url(redis_url)
    prefix = f"test:flood:{secrets.token_hex(4)}:"
    limits = InputLimits(sender_per_minute=1, sender_burst=2)
    try:
        one = FloodGate(RedisRateLimiter(a, prefix=prefix), limits)
        two = FloodGate(RedisRateLimiter(b, prefix=prefix), limits)
        verdicts = [await gate.admit(msg()) for gate in (one, two, one, two)]
        assert verdicts == ["pass", "pass", "tell", "drop"]
        keys = [k.decode() async for k in a.scan_iter(match=prefix + "*")]
        assert keys and all("84912345678" not in k for k in keys)
        assert any(sender_tag("tel:+84912345678") in k for k in keys)
    finally:
        async for key in a.scan_iter(match=prefix + "*"):
            await a.delete(key)
        await a.aclose()
        await b.aclose()


@pytest.fixture
async def paced(tmp_path: Path) -> AsyncIterator[tuple[App, httpx.AsyncClient]]:
    """A bot whose senders may send 3 messages at once, then 1 a minute; 1 report an hour."""
    limits = {"sender_per_minute": 1, "sender_burst": 3, "ip_per_minute": 1e6}
    sections = {"telegram": {"enabled": True, **bench.TARGETS["telegram"].settings}}
    settings = make_settings(
        tmp_path, limits={**limits, "reports_per_hour": 1}, public_url=bench.BASE, **sections
    )
    app = await build_app(settings)
    api = create_app(app_obj=app)
    api.state.bot = app
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api), base_url=bench.BASE
    ) as client:
        yield app, client
    await app.aclose()


async def test_a_fast_sender_is_asked_once_to_wait_others_are_not(
    paced: tuple[App, httpx.AsyncClient],
) -> None:
    _, client = paced
    fast, other = Sim(client, "nhanh"), Sim(client, "cham")
    for _ in range(3):
        assert WAIT not in " ".join(r["text"] for r in await fast.send("xin chao"))
    assert [r["text"] for r in await fast.send("xin chao")] == [WAIT]
    assert await fast.send("xin chao") == []  # dropped, and not told twice in a minute
    assert await fast.send("menu") == []
    assert WAIT not in " ".join(r["text"] for r in await other.send("xin chao"))


async def test_a_flooding_telegram_chat_gets_one_wait_message(
    paced: tuple[App, httpx.AsyncClient],
) -> None:
    app, client = paced
    assert app.channels is not None
    sent: list[str] = []

    async def record(message: object) -> object:
        from bot.channels.base import SendResult

        sent.append(message.text)  # type: ignore[attr-defined]
        return SendResult(external_id=f"o{len(sent)}")

    app.channels.adapters["telegram"].send = record  # type: ignore[method-assign]
    url = f"{bench.BASE}/webhooks/telegram"
    for n in range(1, 11):
        body, headers = bench.TARGETS["telegram"].request(n, url, "xin chao", 5)
        assert (await client.post(url, content=body, headers=headers)).status_code == 200
    await app.channels.drain()
    assert sent.count(WAIT) == 1  # 3 answered, 1 told to wait, 6 dropped silently
    assert len(sent) - sent.count(WAIT) >= 3


async def test_the_simulator_limits_one_ip_whatever_the_user_name(tmp_path: Path) -> None:
    app = await build_app(make_settings(tmp_path, limits={"ip_per_minute": 6}))
    api = create_app(app_obj=app)
    api.state.bot = app
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api), base_url="http://t"
        ) as c:
            first = await c.post("/sim/messages", json={"user": "u1", "text": "xin chao"})
            assert first.status_code == 200
            again = await c.post("/sim/messages", json={"user": "u2", "text": "xin chao"})
            assert again.status_code == 429
            assert again.json() == {"detail": "too many messages"}
            assert 1 <= int(again.headers["retry-after"]) <= 10
    finally:
        await app.aclose()


async def test_reports_from_one_sender_are_capped_per_hour(
    paced: tuple[App, httpx.AsyncClient],
) -> None:
    app, client = paced
    # only the report cap is under test here
    unpaced = InputLimits(sender_per_minute=1e6, sender_burst=1_000_000)
    app.pipeline.use_gate(FloodGate(MemoryRateLimiter(), unpaced))
    sim = Sim(client, "baocao", channel="sms")
    for step in HOUSEHOLD:
        await sim.send(step)
    assert "BD-" in sim.text
    for step in HOUSEHOLD:
        await sim.send(step)
    assert sim.text == CAP  # not filed; the answers so far are kept
    async with app.store.read() as tx:
        count = await tx.session.scalar(select(func.count(Report.id)))
    assert count == 1
    other = Sim(client, "nguoikhac", channel="sms")
    for step in HOUSEHOLD:
        await other.send(step)
    assert "BD-" in other.text  # the cap is per sender
