"""A migrated SQLite store per test (the PostgreSQL contract lives in tests/store/)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store, upgrade_database


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'banbot.db'}"
    await upgrade_database(url)
    s = Store(url)
    try:
        yield s
    finally:
        await s.close()
