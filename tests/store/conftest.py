"""Backends for the store contract tests: SQLite temp files and throwaway PostgreSQL databases.

Schemas are created only through the Alembic migrations. PostgreSQL comes from
``BANBOT_TEST_POSTGRES_URL`` (default ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``);
databases ``banbot_t_<random>`` are created through the ``postgres`` maintenance database and
dropped afterwards. Unreachable PostgreSQL fails the run under ``CI=true``, else skips loudly.

``CREATE DATABASE`` costs ~0.7 s, so the contract tests share one migrated PostgreSQL database
per session and empty it (``TRUNCATE``) before each test; the migration tests get their own.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from bot.store import Store, upgrade_database
from bot.store.engine import make_engine
from bot.store.models import Base

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _base_url() -> URL:
    return make_url(os.environ.get("BANBOT_TEST_POSTGRES_URL", DEFAULT_PG))


async def _maintenance(base: URL) -> asyncpg.Connection:
    """A connection to the ``postgres`` database, or fail/skip the test as the brief says."""
    try:
        return await asyncpg.connect(
            host=base.host or "127.0.0.1",
            port=base.port or 5432,
            user=base.username or "postgres",
            password=base.password,
            database="postgres",
            timeout=5,
        )
    except (OSError, asyncpg.PostgresError) as exc:
        where = base.render_as_string(hide_password=True)
        message = f"PostgreSQL store tests need {where} (maintenance db 'postgres'): {exc!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {message}")
        pytest.skip(f"!!! SKIPPED, NOT PASSED: {message}")


async def create_database() -> str:
    """Create an empty ``banbot_t_<random>`` database; returns its URL."""
    base = _base_url()
    name = f"banbot_t_{secrets.token_hex(6)}"
    admin = await _maintenance(base)
    try:
        await admin.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    finally:
        await admin.close()
    return base.set(database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    name = make_url(url).database
    admin = await _maintenance(_base_url())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


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
