"""Backends for the store contract tests: a SQLite temp file and a throwaway PostgreSQL database.

Schemas are created only through the Alembic migrations. PostgreSQL comes from
``BANBOT_TEST_POSTGRES_URL`` (default ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``); a
database ``banbot_t_<random>`` is created through the ``postgres`` maintenance database and
dropped afterwards. Unreachable PostgreSQL fails the run under ``CI=true``, else skips loudly.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

from bot.store import Store, upgrade_database

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


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
        message = (
            f"PostgreSQL store tests need a server at {where} (maintenance db 'postgres'): {exc!r}"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {message}")
        pytest.skip(f"!!! SKIPPED, NOT PASSED: {message}")


async def _throwaway_postgres() -> AsyncIterator[str]:
    base = make_url(os.environ.get("BANBOT_TEST_POSTGRES_URL", DEFAULT_PG))
    name = f"banbot_t_{secrets.token_hex(6)}"
    admin = await _maintenance(base)
    try:
        await admin.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database URL of each backend (no schema yet)."""
    if request.param == "sqlite":
        # A folder that does not exist yet: upgrade_database must create it.
        yield f"sqlite+aiosqlite:///{tmp_path / 'var' / 'banbot.db'}"
    else:
        async for url in _throwaway_postgres():
            yield url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    """A migrated store on each backend, closed after the test."""
    await upgrade_database(db_url)
    s = Store(db_url)
    try:
        yield s
    finally:
        await s.close()
