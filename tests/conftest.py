"""Suite-wide fixtures: real-service URLs (fail in CI when missing), the network guard, a bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.config import Settings

if TYPE_CHECKING:
    from bot.app import App

pytest_plugins = ["tests.support.plugin"]

ROOT = Path(__file__).resolve().parent.parent


def make_settings(tmp: Path, **overrides: object) -> Settings:
    """Settings for an isolated bot: its own SQLite file, in-process state unless overridden."""
    values: dict[str, object] = {
        "env": "test",
        "database_url": f"sqlite+aiosqlite:///{tmp / 'banbot.db'}",
        "redis_url": None,
    }
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
