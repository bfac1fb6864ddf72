"""Throwaway PostgreSQL databases for tests: created through the ``postgres`` maintenance
database of ``BANBOT_TEST_POSTGRES_URL`` (default
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``) and dropped afterwards.

Unreachable PostgreSQL fails the run under ``CI=true``, else skips loudly. ``CREATE DATABASE``
from ``template0`` costs ~0.7 s; from a migrated template it copies the schema and its rows.
"""

from __future__ import annotations

import os
import secrets

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def base_url() -> URL:
    """The PostgreSQL server the tests use (its ``database`` part is not used here)."""
    return make_url(os.environ.get("BANBOT_TEST_POSTGRES_URL", DEFAULT_PG))


async def _maintenance(base: URL) -> asyncpg.Connection:
    """A connection to the ``postgres`` database, or fail (CI) / skip the test."""
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
        message = f"PostgreSQL tests need {where} (maintenance db 'postgres'): {exc!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {message}")
        pytest.skip(f"!!! SKIPPED, NOT PASSED: {message}")


async def create_database(template: str = "template0", prefix: str = "banbot_t_") -> str:
    """Create ``<prefix><random>`` as a copy of ``template``; returns its URL.

    A template other than ``template0`` must have no open connection while it is copied.
    """
    base = base_url()
    name = f"{prefix}{secrets.token_hex(6)}"
    admin = await _maintenance(base)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE "{template}"')
    finally:
        await admin.close()
    return base.set(database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    """Drop the database of ``url``, closing whatever connection is still open to it."""
    name = make_url(url).database
    admin = await _maintenance(base_url())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
