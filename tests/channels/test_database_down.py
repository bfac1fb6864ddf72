"""PostgreSQL stops mid-conversation: a webhook's message is kept on disk (the provider was
told it arrived and will not send it again), nothing is half-done, and once the database is
back the message is answered and its report filed, once.

The database is "stopped" by cutting a TCP proxy in front of the shared PostgreSQL server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.app import App, build_app
from bot.channels.base import ParseResult
from bot.domain.messages import Inbound
from bot.store.models import OutboundMessage
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.support.databases import create_database, drop_database
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.usefixtures("postgres_url")
BASE = "https://bot.test"


@pytest.fixture
async def proxied(postgres_url: str) -> AsyncIterator[tuple[str, TcpProxy]]:
    url = await create_database()
    real = make_url(url)
    proxy = await TcpProxy(real.host or "127.0.0.1", real.port or 5432).start()
    try:
        yield real.set(host="127.0.0.1", port=proxy.port).render_as_string(False), proxy
    finally:
        await proxy.cut()
        await drop_database(url)


@pytest.fixture
async def bot(tmp_path: Path, proxied: tuple[str, TcpProxy]) -> AsyncIterator[App]:
    from bot.app import prepare_database

    settings = make_settings(tmp_path, database_url=proxied[0], database_pool_size=2)
    await prepare_database(settings)
    app = await build_app(settings)
    try:
        yield app
    finally:
        await app.aclose()


async def say(app: App, n: int, text: str) -> None:
    assert app.channels is not None
    sim = app.channels.adapters["sim"]
    await app.channels.runtime.sink(sim, ParseResult([Inbound("sim", "sim:bay", f"m{n}", text)]))
    await app.channels.drain()


async def replies(app: App) -> list[str]:
    async with app.store.engine.connect() as conn:
        rows = await conn.execute(
            select(OutboundMessage.text).where(OutboundMessage.urn == "sim:bay")
        )
        return [r[0] for r in rows]


async def reports(app: App) -> int:
    async with app.store.read() as tx:
        contact = await tx.contacts.by_urn("sim:bay")
        return len(await tx.reports.latest(contact.id)) if contact else 0


async def test_a_message_during_the_outage_is_kept_then_answered_once(
    bot: App, proxied: tuple[str, TcpProxy], caplog: pytest.LogCaptureFixture
) -> None:
    _, proxy = proxied
    assert bot.channels is not None
    runtime, spool = bot.channels.runtime, bot.channels.runtime._spool
    assert spool is not None
    await say(bot, 1, "nha em o ban nam nieu bi ngap")
    before = await reports(bot)
    await proxy.cut()  # PostgreSQL "stops"
    await say(bot, 2, "Có")  # the resident answers: someone is in danger now
    assert spool.pending() == 1  # kept on disk, not lost and not half-done
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    # the simulator (no webhook, nothing to keep): a short apology, not a 500
    api = create_app(app_obj=bot)
    api.state.bot = bot  # no lifespan: its replay loop would race the replays below
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=BASE) as web:
        r = await web.post("/sim/messages", json={"user": "lan", "text": "xin chao"})
    assert r.status_code == 200 and "gián đoạn" in r.json()["replies"][0]["text"]
    assert await runtime.replay_now() == 0  # still down: kept
    assert spool.pending() == 1
    await proxy.restore()
    assert await runtime.replay_now() == 1
    await bot.channels.drain()
    assert spool.pending() == 0
    texts = await replies(bot)
    assert sum("112" in t for t in texts) == 1  # the danger-now answer, given late, once
    assert await reports(bot) == before + 1  # the report filed once
    await say(bot, 2, "Có")  # the provider's copy, if it ever came again: answered once only
    assert spool.pending() == 0
    assert sum("112" in t for t in await replies(bot)) == 1 and await reports(bot) == before + 1
