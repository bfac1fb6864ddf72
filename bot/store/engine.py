"""Async engine factory: SQLite (aiosqlite) for a single process, PostgreSQL (asyncpg) to scale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.store.types import dumps

# Seconds a SQLite writer waits for another writer's lock before "database is locked".
SQLITE_BUSY_TIMEOUT = 30
# Execution option of connections that only read (``Store.read``): no write lock on SQLite.
# Its value ONE_STATEMENT: no BEGIN at all, each statement reads on its own (autocommit).
READ_ONLY = "banbot_read_only"
ONE_STATEMENT = "one_statement"


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> Path | None:
    """The database file of a SQLite URL, or None for memory databases and other backends."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):  # URI form; only plain paths get a folder made
        return None
    return Path(database)


POOL_SIZE = 10  # PostgreSQL connections a process keeps open (BANBOT_DATABASE_POOL_SIZE)


def make_engine(
    url: str | URL, *, foreign_keys: bool = True, pool_size: int = POOL_SIZE
) -> AsyncEngine:
    """An async engine for ``url``, with JSON kept readable and SQLite made transactional.

    SQLite: foreign keys on, WAL journal (readers never block the writer), and SQLAlchemy
    emits ``BEGIN IMMEDIATE`` itself instead of the sqlite3 driver's legacy lazy BEGIN. That
    makes SAVEPOINTs and SELECTs part of the transaction, and takes the write lock up front so
    two concurrent writers queue on the busy timeout instead of failing with a stale snapshot.
    ``:memory:`` uses one shared connection (SQLAlchemy's default), so use a file for anything
    concurrent.

    PostgreSQL and SQLite files keep ``pool_size`` connections and open up to a quarter more
    when busy: a connection opened above the pool is closed when returned, and a server
    process forked per message (a notice's pumps keep dozens of sends in flight), or on SQLite
    a thread and a file opened per message (SQLAlchemy's default 5 under 32 senders), costs
    more than the message.

    ``foreign_keys=False`` is for migrations only: SQLite rebuilds a table to alter it, and
    dropping the old copy of a parent table would cascade deletes into its children (SQLite
    cannot switch the pragma inside a transaction, so it is set when connecting).
    """
    kwargs: dict[str, Any] = {"json_serializer": dumps}
    if is_sqlite(url):
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT}
    else:
        kwargs["pool_pre_ping"] = True
    if not is_sqlite(url) or sqlite_path(url) is not None:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size // 4)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        _make_sqlite_transactional(engine, foreign_keys)
    return engine


def _make_sqlite_transactional(engine: AsyncEngine, foreign_keys: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see below)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A reader (execution option READ_ONLY) must not queue behind a writer: in WAL mode a
        # deferred transaction reads its snapshot while another connection writes.
        read_only = conn.get_execution_options().get(READ_ONLY)
        if read_only == ONE_STATEMENT:
            return  # one query reads a consistent snapshot by itself; saves BEGIN's round trip
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
