"""SQLite engine settings: foreign keys enforced, WAL journal, real transactions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.store import upgrade_database
from bot.store.engine import make_engine


async def test_sqlite_has_foreign_keys_and_wal(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'e.db'}"
    await upgrade_database(url)
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO contact_urns (urn, scheme, contact_id, created_at)"
                        " VALUES ('sim:x', 'sim', 999, '2026-01-01 00:00:00')"
                    )
                )
    finally:
        await engine.dispose()


async def test_sqlite_savepoint_rollback_is_part_of_the_transaction(tmp_path: Path) -> None:
    """The sqlite3 driver's legacy mode would let a released SAVEPOINT escape a ROLLBACK."""
    url = f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        async with engine.connect() as conn:
            await conn.begin()
            nested = await conn.begin_nested()
            await conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            await nested.commit()
            await conn.rollback()
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("SELECT count(*) FROM t")).scalar() == 0
    finally:
        await engine.dispose()


async def test_postgresql_keeps_its_pool_busy_or_not() -> None:
    """The pool holds ``pool_size`` connections and a quarter more under load; past that a
    caller waits for one. (SQLAlchemy's default, 5 + 10 overflow closed on return, forked a
    PostgreSQL server process per send while a notice's pumps kept dozens in flight.)"""
    engine = make_engine("postgresql+asyncpg://u@127.0.0.1:1/x", pool_size=12)
    try:
        pool = engine.pool
        assert (pool.size(), pool._max_overflow) == (12, 3)  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_a_sqlite_file_keeps_its_pool_too(tmp_path: Path) -> None:
    """32 senders at once on SQLAlchemy's default (5 + 10 closed on return) opened a file
    and a thread per message; a memory database keeps its one shared connection."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}", pool_size=12)
    memory = make_engine("sqlite+aiosqlite:///:memory:", pool_size=12)
    try:
        pool = engine.pool
        assert (pool.size(), pool._max_overflow) == (12, 3)  # type: ignore[attr-defined]
        assert not hasattr(memory.pool, "_max_overflow")
    finally:
        await engine.dispose()
        await memory.dispose()
