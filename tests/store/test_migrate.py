"""Migrations: they build the schema the models describe, on both backends, idempotently."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.store.engine import make_engine, sqlite_path
from bot.store.migrate import alembic_config, upgrade_database
from bot.store.models import Base

TABLES = {
    "alembic_version",
    "audit_events",
    "inbound_messages",
    "jobs",
    "notices",
    "role_codes",
    "channel_state",
    "commune_predecessors",
    "communes",
    "contact_urns",
    "contacts",
    "eligibility_checks",
    "login_throttle",
    "outbound_messages",
    "report_events",
    "reports",
    "subscriptions",
    "villages",
    "web_sessions",
    "web_users",
}


def _diff(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _state(conn: Connection) -> tuple[set[str], str | None]:
    return set(inspect(conn).get_table_names()), MigrationContext.configure(
        conn
    ).get_current_revision()


async def _run(url: str, fn: Any) -> Any:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


async def test_migration_matches_models(db_url: str) -> None:
    await upgrade_database(db_url)
    assert await _run(db_url, _diff) == []


async def test_upgrade_creates_tables_at_head_and_is_idempotent(db_url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    path = sqlite_path(db_url)
    assert path is None or not path.parent.exists()
    await upgrade_database(db_url)
    assert path is None or path.exists()
    assert await _run(db_url, _state) == (TABLES, head)
    await upgrade_database(db_url)  # at head already: nothing to do, nothing fails
    assert await _run(db_url, _state) == (TABLES, head)


async def test_downgrade_to_base_removes_everything(db_url: str) -> None:
    await upgrade_database(db_url)

    def down(conn: Connection) -> None:
        cfg = alembic_config(db_url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
        conn.commit()

    await _run(db_url, down)
    assert await _run(db_url, _state) == ({"alembic_version"}, None)
    await upgrade_database(db_url)
    assert await _run(db_url, _diff) == []


def test_sqlite_path_of_urls() -> None:
    assert sqlite_path("sqlite+aiosqlite:////srv/var/b.db") == Path("/srv/var/b.db")
    assert sqlite_path("sqlite+aiosqlite:///:memory:") is None
    assert sqlite_path("sqlite+aiosqlite://") is None
    assert sqlite_path("postgresql+asyncpg://postgres@127.0.0.1/test") is None


def test_alembic_command_without_a_connection_builds_its_own(tmp_path: Path) -> None:
    """The path a developer takes with ``alembic.command`` directly (no shared connection)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    command.upgrade(alembic_config(url), "head")

    async def check() -> Any:
        return await _run(url, _diff)

    assert asyncio.run(check()) == []
