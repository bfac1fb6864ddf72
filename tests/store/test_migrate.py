"""Migrations: they build the schema the models describe, on both backends, idempotently;
every revision goes up and comes back down one at a time (each downgrade leaves exactly the
schema its upgrade found), with rows in the tables too. The revisions are read from the
migrations folder, so a new one is walked with the rest."""

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

from bot.places.load import seed_places
from bot.store import Store
from bot.store.engine import make_engine, sqlite_path
from bot.store.migrate import alembic_config, downgrade_database, upgrade_database
from bot.store.models import Base
from tests.conftest import ROOT
from tests.store.helpers import report, resident

Schema = dict[str, Any]

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


def _revisions(url: str) -> list[str]:
    """Every revision, oldest first (the chain must stay linear: one head, no branches)."""
    script = ScriptDirectory.from_config(alembic_config(url))
    assert len(script.get_heads()) == 1, script.get_heads()
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _schema(conn: Connection) -> tuple[str | None, Schema]:
    """The revision and what the database holds: tables, columns, indexes, keys."""
    found = inspect(conn)
    tables: Schema = {}
    for table in sorted(found.get_table_names()):
        tables[table] = {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)
            ),
            "primary key": found.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted(
                (i["name"] or "", tuple(i["column_names"]), bool(i["unique"]))
                for i in found.get_indexes(table)
            ),
            "foreign keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in found.get_foreign_keys(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
        }
    return MigrationContext.configure(conn).get_current_revision(), tables


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


async def test_each_revision_up_then_down_then_up_again(db_url: str) -> None:
    revisions = _revisions(db_url)
    assert len(revisions) >= 7  # 0001 … 0007 at the time of writing, and what follows
    await upgrade_database(db_url, "base")  # an empty database with only alembic_version
    empty = await _run(db_url, _schema)
    assert empty == (None, {"alembic_version": empty[1]["alembic_version"]})

    seen = {}  # revision -> the schema its upgrade left
    for revision in revisions:
        await upgrade_database(db_url, revision)
        seen[revision] = await _run(db_url, _schema)
        assert seen[revision][0] == revision
    assert await _run(db_url, _diff) == []  # head is what the models describe

    for below, revision in reversed(list(zip([None, *revisions], revisions, strict=False))):
        await downgrade_database(db_url, below or "base")
        expected = seen[below] if below else empty
        assert await _run(db_url, _schema) == expected, f"downgrade of {revision}"

    await upgrade_database(db_url)
    assert await _run(db_url, _schema) == seen[revisions[-1]]
    assert await _run(db_url, _diff) == []


async def test_the_way_down_keeps_working_with_rows_in_the_tables(db_url: str) -> None:
    """An operator's rollback runs on a database in use: the gazetteer, a resident, a report
    and its history are there while every revision is taken back, then the schema returns."""
    await upgrade_database(db_url)
    store = Store(db_url)
    try:
        await seed_places(store, ROOT / "data" / "places")
        cid = await resident(store, "sim:ba.con")
        filed = await report(store, cid, village_id="03664:panh")
        async with store.transaction() as tx:
            await tx.reports.add_event(filed.ref, "note", actor="user:1", note="đã gọi điện")
    finally:
        await store.close()
    revisions = _revisions(db_url)
    for below in reversed([None, *revisions[:-1]]):
        await downgrade_database(db_url, below or "base")
    assert (await _run(db_url, _schema))[0] is None
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
