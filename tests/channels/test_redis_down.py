"""Redis stops mid-conversation, then comes back: what the resident sees, what is kept.

Our own ``redis-server`` (no persistence) on a free port holds the bot's sessions, locks and
dedupe marks; the SQL store is SQLite. The whole bot is built from settings (simulator and
Telegram enabled); Telegram's sends go to a recording fake instead of the network.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App, build_app
from bot.channels.base import SendResult
from bot.domain.messages import Inbound, Outbound
from bot.render import unaccent
from bot.store.models import OutboundMessage, Report
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.support.services import _free_port, redis_answers
from tests.web.conftest import Sim

SECRET = "test-secret-0123456789"
BASE = "https://bot.test"
REF = re.compile(r"\bTT-[A-Z2-9]{6}\b")
FLOOD = ("nha em bi ngap", "khong", "ban nam nieu", "5", "5", "4", "co")


class RedisServer:
    """A redis-server of this test only, on one port, that can be killed and started again."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (the fault test needs its own server)")
        self.binary, self.folder, self.port = binary, folder, _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.folder)]  # fmt: skip
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 - our own binary and args
        deadline = time.monotonic() + 10
        while not redis_answers("127.0.0.1", self.port, timeout=0.2):
            assert self.proc.poll() is None and time.monotonic() < deadline, "no redis-server"
            time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with tempfile.TemporaryDirectory(prefix="banbot-redis-down-") as folder:
        server = RedisServer(Path(folder))
        server.start()
        try:
            yield server
        finally:
            server.kill()


@pytest.fixture
async def bot(tmp_path: Path, redis_server: RedisServer) -> AsyncIterator[App]:
    settings = make_settings(
        tmp_path,
        redis_url=redis_server.url,
        public_url=BASE,
        telegram={"enabled": True, "token": "123:test", "webhook_secret": SECRET},
    )
    app = await build_app(settings)
    try:
        yield app
    finally:
        await app.aclose()


@pytest.fixture
def telegram_sent(bot: App) -> list[Outbound]:
    sent: list[Outbound] = []

    async def send(message: Outbound) -> SendResult:
        sent.append(message)
        return SendResult(external_id=f"m{len(sent)}")

    assert bot.channels is not None
    bot.channels.adapters["telegram"].send = send  # type: ignore[method-assign]
    return sent


@pytest.fixture
async def client(bot: App) -> AsyncIterator[httpx.AsyncClient]:
    api = create_app(app_obj=bot)
    async with api.router.lifespan_context(api):
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
            yield c


def update(n: int, text: str, user: int = 4242) -> dict[str, Any]:
    sender = {"id": user, "is_bot": False, "first_name": "Lò"}
    message = {"message_id": n, "date": 1767225600, "chat": {**sender, "type": "private"},
               "from": sender, "text": text}  # fmt: skip
    return {"update_id": 5000 + n, "message": message}


async def telegram(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    headers = {"x-telegram-bot-api-secret-token": SECRET, "content-type": "application/json"}
    return await client.post("/webhooks/telegram", content=json.dumps(body), headers=headers)


async def until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait for the in-process queue to send (bounded; fails when it never does)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the queue never sent it"
        await asyncio.sleep(0.02)


async def settled(app: App, seconds: float = 20.0) -> None:
    """Wait until no outbound message is queued or being sent."""
    deadline = time.monotonic() + seconds
    open_ = OutboundMessage.status.in_(("queued", "sending"))
    while True:
        async with AsyncSession(app.store.engine) as session:
            left = await session.scalar(select(func.count()).where(open_))
        if not left:
            return
        assert time.monotonic() < deadline, f"{left} message(s) still open"
        await asyncio.sleep(0.05)


async def reports(app: App) -> int:
    async with AsyncSession(app.store.engine) as session:
        return int(await session.scalar(select(func.count()).select_from(Report)) or 0)


async def report_flood(sim: Sim) -> str:
    for text in FLOOD:
        await sim.send(text)
        if found := REF.search(sim.text):
            return found.group()
    raise AssertionError(f"no reference code: {sim.text}")


async def test_redis_stops_mid_conversation_and_comes_back(
    bot: App,
    client: httpx.AsyncClient,
    redis_server: RedisServer,
    telegram_sent: list[Outbound],
) -> None:
    assert bot.channels is not None
    sim = Sim(client, "lo_van_a", channel="sms")
    await sim.send("xin chào")
    ref = await report_flood(sim)
    assert await reports(bot) == 1
    await sim.send("nha em bi sat lo")  # a second report begun, not finished
    assert (await telegram(client, update(1, "xin chào"))).status_code == 200
    await bot.channels.runtime.drain()
    await settled(bot)  # (a send caught by the outage is the sender's story, not this test's)
    told = len(telegram_sent)
    assert told >= 1

    redis_server.kill()

    # The simulator: a short apology in Vietnamese, not a 500; the report is still there.
    r = await client.post("/sim/messages", json={"user": "lo_van_a", "channel": "sms", "text": "5"})
    assert r.status_code == 200
    said = unaccent(" ".join(m["text"] for m in r.json()["replies"])).lower()
    assert "xin loi" in said and "gui lai sau it phut" in said
    assert ref not in r.text
    # Telegram: 503, so Telegram keeps the update and sends it again; nothing ran.
    waiting = update(2, "menu")
    r = await telegram(client, waiting)
    assert r.status_code == 503 and r.headers["retry-after"] == "30"
    assert bot.channels.runtime.busy == 0
    await bot.channels.runtime.drain()
    assert len(telegram_sent) == told
    assert await reports(bot) == 1

    redis_server.start()  # empty: sessions, locks and dedupe marks are gone

    # Telegram redelivers the update: processed now, and the resident is answered.
    assert (await telegram(client, waiting)).status_code == 200
    await bot.channels.runtime.drain()
    await until(lambda: len(telegram_sent) > told)
    # The simulator's resident carries on: a new report is filed next to the first.
    await sim.send("menu")
    assert "xin loi" not in unaccent(sim.text).lower()
    second = await report_flood(sim)
    assert second != ref
    assert await reports(bot) == 2


async def test_a_provider_that_does_not_redeliver_is_accepted_and_gets_the_apology(
    bot: App, redis_server: RedisServer
) -> None:
    """Without a 2xx Twilio or Zalo would not send the message again: the pipeline answers
    it with the apology instead (recorded and sent like any reply)."""
    redis_server.kill()
    inbound = Inbound(adapter="sim", address="sim:zalo_like", external_id="x1", text="xin chào")
    outcome = await bot.pipeline.handle(inbound)
    text = unaccent(" ".join(r.text for r in outcome.replies)).lower()
    assert "xin loi" in text and "phan anh da gui van duoc giu" in text
    assert not await bot.pipeline.accepting()
    redis_server.start()
    assert await bot.pipeline.accepting()
