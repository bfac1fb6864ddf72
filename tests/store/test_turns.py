"""How the store's transactions meet SQLite's one write lock (decision 0015)."""

from __future__ import annotations

import asyncio
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
