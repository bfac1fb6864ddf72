"""Schema 0004 on both backends: ``seen`` becomes ``acknowledged`` in rows and constraints,
earlier history events become status events, and the way back restores ``seen``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.store.engine import make_engine
from bot.store.migrate import downgrade_database, upgrade_database
from tests.store.conftest import db_url

__all__ = ["db_url"]  # the fixture: a new SQLite file and a new PostgreSQL database


async def _run(url: str, fn: Any) -> Any:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


CONTACT = (
    "INSERT INTO contacts (id, language, role, stopped, created_at, updated_at)"
    " VALUES (1, 'vi', 'resident', false, '2026-07-01', '2026-07-01')"
)
REPORT = (
    "INSERT INTO reports (id, ref, contact_id, type, details, photos, flagged, status,"
    " created_at, updated_at) VALUES (:id, :ref, 1, 'disaster', '{}', '[]', false,"
    " :status, '2026-07-01', '2026-07-01')"
)
EVENT = (
    "INSERT INTO report_events (report_id, status, actor, at)"
    " VALUES (:id, :status, 'officer:1', '2026-07-01')"
)


def _seed_at_0003(conn: Connection) -> None:
    conn.execute(text(CONTACT))
    for rid, status in ((1, "seen"), (2, "new")):
        conn.execute(text(REPORT), {"id": rid, "ref": f"TT-00000{rid}", "status": status})
        conn.execute(text(EVENT), {"id": rid, "status": status})


def _statuses(conn: Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute(text(
        "SELECT r.ref, r.status, e.status FROM reports r JOIN report_events e"
        " ON e.report_id = r.id ORDER BY r.ref")).all()  # fmt: skip
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_seen_becomes_acknowledged_and_back(db_url: str) -> None:
    await upgrade_database(db_url, "0003")
    await _run(db_url, _seed_at_0003)
    await upgrade_database(db_url)
    assert await _run(db_url, _statuses) == [
        ("TT-000001", "acknowledged", "acknowledged"), ("TT-000002", "new", "new")]  # fmt: skip
    kinds = await _run(db_url, lambda c: c.execute(text("SELECT kind FROM report_events")).all())
    assert {k for (k,) in kinds} == {"status"}

    def old_status(conn: Connection) -> None:
        conn.execute(text("UPDATE reports SET status = 'seen' WHERE id = 2"))

    with pytest.raises(IntegrityError):  # the new CHECK holds
        await _run(db_url, old_status)

    await downgrade_database(db_url, "0003")
    assert await _run(db_url, _statuses) == [
        ("TT-000001", "seen", "seen"), ("TT-000002", "new", "new")]  # fmt: skip
