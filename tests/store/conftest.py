"""Backends for the store contract tests: SQLite temp files and throwaway PostgreSQL databases.

Schemas are created only through the Alembic migrations. PostgreSQL databases
``banbot_t_<random>`` come from :mod:`tests.support.databases` and are dropped afterwards.

``CREATE DATABASE`` costs ~0.7 s, so the contract tests share one migrated PostgreSQL database
per session and empty it (``TRUNCATE``) before each test; the migration tests get their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store import Store, upgrade_database
from bot.store.engine import make_engine
from bot.store.models import Base
from tests.support.databases import create_database, drop_database

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[str]:
    """One migrated throwaway PostgreSQL database for the whole session.

    Sync, with its own short event loops, so it is tied to no test's loop.
    """
    url = asyncio.run(create_database())
    try:
        asyncio.run(upgrade_database(url))
        yield url
    finally:
        asyncio.run(drop_database(url))


async def _truncate(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A new, empty database of each backend (no schema yet)."""
    if request.param == "sqlite":
        # A folder that does not exist yet: upgrade_database must create it.
        yield f"sqlite+aiosqlite:///{tmp_path / 'var' / 'banbot.db'}"
    else:
        url = await create_database()
        try:
            yield url
        finally:
            await drop_database(url)


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Per backend: a SQLite file URL (no schema yet) or the session's migrated PostgreSQL.

    Sync on purpose: the session fixture behind it calls ``asyncio.run``, which cannot run
    inside the test's event loop. Only PostgreSQL tests ever touch ``migrated_postgres``.
    """
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'banbot.db'}"
    return str(request.getfixturevalue("migrated_postgres"))


@pytest.fixture
async def store_url(backend_url: str) -> str:
    """A migrated database of each backend with no rows in it."""
    if backend_url.startswith("sqlite"):
        await upgrade_database(backend_url)
    else:
        await _truncate(backend_url)
    return backend_url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """A store on each backend's migrated, empty database; closed after the test."""
    s = Store(store_url)
    try:
        yield s
    finally:
        await s.close()
