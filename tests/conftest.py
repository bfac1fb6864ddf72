"""Suite-wide fixtures: real-service URLs (fail in CI when missing), the network guard, a bot."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.config import Settings

if TYPE_CHECKING:
    from bot.app import App

pytest_plugins = ["tests.support.plugin"]

ROOT = Path(__file__).resolve().parent.parent


_TEMPLATE: list[Path] = []  # one migrated, seeded SQLite database per test process


def _template() -> Path:
    """Migrate and seed once; every bot of the suite starts from a copy (1.5 s -> 0.2 s for
    ``prepare_database``, which still runs and finds it up to date)."""
    if not _TEMPLATE:
        from bot.app import prepare_database

        folder = Path(tempfile.mkdtemp(prefix="banbot-template-"))
        settings = Settings(env="test", database_url=f"sqlite+aiosqlite:///{folder / 'banbot.db'}")  # type: ignore[call-arg]
        # a thread of its own: callers are often inside a running event loop
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, prepare_database(settings)).result()
        _TEMPLATE.append(folder / "banbot.db")
    return _TEMPLATE[0]


def make_settings(tmp: Path, **overrides: object) -> Settings:
    """Settings for an isolated bot: its own SQLite file (a copy of the migrated, seeded
    template), in-process state unless overridden."""
    from bench.webhooks import UNPACED  # imports the bot: not at collection

    values: dict[str, object] = {
        "env": "test",
        "database_url": f"sqlite+aiosqlite:///{tmp / 'banbot.db'}",
        "redis_url": None,
        # Conversations in tests go faster than any person types: no per-sender pacing unless a
        # test asks for it (tests/web/test_flood.py).
        "limits": UNPACED,
    }
    fresh = tmp.is_dir() and not (tmp / "banbot.db").exists()  # not Path("/nonexistent")
    if "database_url" not in overrides and fresh:
        shutil.copyfile(_template(), tmp / "banbot.db")
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def bot_app(tmp_path: Path) -> AsyncIterator[App]:
    """A whole bot on embedded defaults (SQLite in tmp, memory state, built-in NLU)."""
    from bot.app import build_app

    app = await build_app(make_settings(tmp_path))
    try:
        yield app
    finally:
        await app.aclose()
