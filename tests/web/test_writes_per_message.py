"""What one message costs the SQL store: a greeting writes nothing, a journey still does.

Every statement the bot sends to SQLite is recorded (SQLAlchemy's ``before_cursor_execute``,
plus the ``BEGIN`` the engine emits itself): a write transaction on SQLite is ``BEGIN
IMMEDIATE``, which takes the database's one write lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, update

from bot.app import App
from bot.render import unaccent
from bot.store.contacts import SEEN_RESOLUTION
from bot.store.models import ContactUrn
from bot.store.types import utcnow
from tests.web.conftest import Sim

WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")


@pytest.fixture
def statements(bot_app: App) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = bot_app.store.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.lstrip().upper())

    def begin(conn: Any) -> None:
        seen.append(
            "BEGIN (read)"
            if conn.get_execution_options().get("banbot_read_only")
            else "BEGIN IMMEDIATE"
        )

    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "begin", begin)
    yield seen
    event.remove(engine, "before_cursor_execute", record)
    event.remove(engine, "begin", begin)


def writes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith(WRITES)]


async def test_a_greeting_and_the_menu_write_nothing(
    client: httpx.AsyncClient, statements: list[str], bot_app: App
) -> None:
    sim = Sim(client, "quiet", channel="sms")
    await sim.send("xin chào")  # first contact: the contact is created (a write, by design)
    await sim.send("menu")
    statements.clear()
    for text in ("xin chào", "menu", "chào bạn"):
        replies = await sim.send(text)
        assert replies, text
    assert writes(statements) == []
    if bot_app.store.engine.dialect.name == "sqlite":
        assert statements == []  # the contact is read on the loop's thread, not the pool's
    else:
        # one contact read each (SQLAlchemy's "begin" event fires, PostgreSQL gets no BEGIN)
        assert [s.split()[0] for s in statements] == ["BEGIN", "SELECT"] * 3


async def test_a_report_still_writes_and_shows_its_code(
    client: httpx.AsyncClient, statements: list[str]
) -> None:
    sim = Sim(client, "reporter", channel="sms")
    await sim.send("xin chào")
    statements.clear()
    for text in ("nha em bi ngap", "khong", "ban nam nieu", "5", "5", "4", "co"):
        await sim.send(text)
        if "TT-" in sim.text:
            break
    assert "TT-" in sim.text
    assert any(s.startswith("INSERT INTO REPORTS") for s in statements)


async def test_an_address_not_seen_lately_is_touched(
    bot_app: App, client: httpx.AsyncClient, statements: list[str]
) -> None:
    sim = Sim(client, "returning", channel="sms")
    await sim.send("xin chào")
    async with bot_app.store.transaction() as tx:
        await tx.session.execute(
            update(ContactUrn)
            .where(ContactUrn.urn == "sim:returning")
            .values(last_seen_at=utcnow() - SEEN_RESOLUTION - timedelta(minutes=1))
        )
    statements.clear()
    await sim.send("menu")
    assert [s for s in writes(statements) if s.startswith("UPDATE")] == [
        next(s for s in statements if s.startswith("UPDATE CONTACT_URNS"))
    ]
    statements.clear()
    await sim.send("menu")  # seen just now: nothing to write again
    assert writes(statements) == []


async def test_many_people_at_once_on_sqlite_no_error(client: httpx.AsyncClient) -> None:
    """Greetings and journeys interleaved: readers never wait for the writer, writers of
    the process take turns; nobody gets the apology."""

    async def person(i: int) -> str:
        sim = Sim(client, f"crowd{i}", channel="sms")
        said = []
        script = ("xin chào", "menu") if i % 2 else ("nha em bi ngap", "khong", "ban nam nieu")
        for text in script:
            said.append(sim.text if await sim.send(text) else "")
        return "\n".join(said)

    answers = await asyncio.gather(*(person(i) for i in range(24)))
    assert all(a and "xin loi" not in unaccent(a).lower() for a in answers)
