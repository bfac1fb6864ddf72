"""How the store's transactions meet SQLite's one write lock (decision 0015)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from bot.store import Store


@pytest.fixture
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = store.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


async def test_writers_of_one_process_take_turns(store: Store) -> None:
    """Never two write transactions of this process open at once (SQLite: each waits on an
    asyncio lock, not in SQLite's sleeping busy handler); every one commits."""
    inside, most = 0, 0

    async def writer(i: int) -> None:
        nonlocal inside, most
        async with store.transaction() as tx:
            inside += 1
            most = max(most, inside)
            await tx.contacts.get_or_create(f"sim:turn{i}", "sim", "vi")
            await asyncio.sleep(0)  # let the others try
            inside -= 1

    await asyncio.gather(*(writer(i) for i in range(20)))
    async with store.read() as tx:
        found = [await tx.contacts.by_urn(f"sim:turn{i}") for i in range(20)]
    assert all(found)
    if store.engine.dialect.name == "sqlite":
        assert most == 1
    else:
        assert most > 1  # PostgreSQL: row locks, no queue of the process's own


async def test_a_one_statement_read_sends_no_begin(store: Store, statements: list[str]) -> None:
    async with store.transaction() as tx:
        await tx.contacts.get_or_create("sim:reader", "sim", "vi")
    statements.clear()
    async with store.read(one_statement=True) as tx:
        assert await tx.contacts.by_urn("sim:reader") is not None
    assert statements == ["SELECT"]
    statements.clear()
    async with store.read() as tx:
        assert await tx.contacts.by_urn("sim:reader") is not None
    expected = ["BEGIN", "SELECT"] if store.engine.dialect.name == "sqlite" else ["SELECT"]
    assert statements == expected


async def test_contact_by_urn_reads_what_was_committed(store: Store) -> None:
    """The first look at every message (``Store.contact_by_urn``) returns the same record as
    a read in a transaction, sees each commit at once (no snapshot kept between reads), and
    None for an address nobody holds."""
    async with store.transaction() as tx:
        rec = await tx.contacts.get_or_create("sim:looked", "sim", "vi", rendering="sms")
        await tx.contacts.add_urn(rec.id, "tel:+84912345678")
        await tx.contacts.set_stopped(rec.id, True)
    async with store.read() as tx:
        expected = await tx.contacts.by_urn("sim:looked")
    found = await store.contact_by_urn("sim:looked")
    assert found == expected
    assert found is not None and found.stopped and len(found.addresses) == 2
    assert found.address("sim:looked").last_seen_at is not None  # a timestamp, read back typed
    assert await store.contact_by_urn("tel:+84912345678") == expected
    async with store.transaction() as tx:
        await tx.contacts.set_stopped(rec.id, False)
    again = await store.contact_by_urn("sim:looked")
    assert again is not None and not again.stopped
    assert await store.contact_by_urn("sim:nobody") is None


async def test_on_a_sqlite_file_the_first_look_is_not_a_pool_query(
    store: Store, statements: list[str]
) -> None:
    """SQLite file: read on the event loop's thread, nothing through the pool (aiosqlite's
    thread hand-offs were half a greeting's time); PostgreSQL: one SELECT, no BEGIN."""
    async with store.transaction() as tx:
        await tx.contacts.get_or_create("sim:here", "sim", "vi")
    statements.clear()
    assert await store.contact_by_urn("sim:here") is not None
    assert statements == ([] if store.engine.dialect.name == "sqlite" else ["SELECT"])


async def test_a_busy_file_is_read_through_the_pool(
    store: Store, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should SQLite refuse the loop-thread read (a busy file), the pool answers; PostgreSQL
    never tries it."""
    async with store.transaction() as tx:
        await tx.contacts.get_or_create("sim:busy", "sim", "vi")
    tried: list[str] = []

    def busy(_path: Any, urn: str) -> None:
        tried.append(urn)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "_contact_here", busy)
    statements.clear()
    found = await store.contact_by_urn("sim:busy")
    assert found is not None and found.urns == ("sim:busy",)
    assert statements == ["SELECT"]
    assert tried == (["sim:busy"] if store.engine.dialect.name == "sqlite" else [])
