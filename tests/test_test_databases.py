"""BANBOT_TEST_DATABASE=postgres (tests/conftest.py): each folder's bot gets its own copy of a
migrated, seeded PostgreSQL template, the same one for the same folder, dropped afterwards."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

import tests.conftest as suite
from tests.support.databases import base_url, drop_database

pytestmark = pytest.mark.postgres


async def _fetch(url: str, sql: str, *args: object) -> int:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(sql, *args))
    finally:
        await conn.close()


async def _exists(name: str) -> bool:
    maintenance = base_url().set(database="postgres").render_as_string(hide_password=False)
    return bool(
        await _fetch(maintenance, "select count(*) from pg_database where datname = $1", name)
    )


async def test_each_folder_gets_its_own_seeded_postgres_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    template: list[str] = []
    databases: dict[Path, str] = {}
    monkeypatch.setattr(suite, "TEST_DATABASE", "postgres")
    monkeypatch.setattr(suite, "_TEMPLATE", template)  # one of this test's own, dropped below
    monkeypatch.setattr(suite, "_PG_DATABASES", databases)
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    try:
        a, b = suite.make_settings(first), suite.make_settings(second)
        assert a.database_url.startswith("postgresql+asyncpg://")
        assert a.database_url != b.database_url != template[0]
        assert suite.make_settings(first).database_url == a.database_url  # a restart
        assert not (first / "banbot.db").exists()
        villages = "select count(*) from villages"
        assert await _fetch(a.database_url, villages) == await _fetch(template[0], villages) > 0
        await _fetch(
            a.database_url, "with d as (delete from villages returning 1) select count(*) from d"
        )
        assert await _fetch(b.database_url, villages) > 0  # copies, not one shared database
    finally:
        names = [make_url(u).database for u in [*databases.values(), *template]]
        for url in [*databases.values(), *template]:
            await drop_database(url)
    assert len(names) == 3
    for name in names:
        assert name is not None and not await _exists(name)
