"""Suite-wide fixtures: real-service URLs (fail in CI when missing), the network guard, a bot."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from tests.support.databases import create_database, drop_database

if TYPE_CHECKING:
    from bot.app import App

pytest_plugins = ["tests.support.plugin"]

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


# BANBOT_TEST_DATABASE=postgres: every bot of make_settings gets its own PostgreSQL database
# (a copy of one migrated, seeded template per test process), dropped after its test.
TEST_DATABASE = os.environ.get("BANBOT_TEST_DATABASE", "sqlite")
if TEST_DATABASE not in {"sqlite", "postgres"}:
    raise pytest.UsageError(f"BANBOT_TEST_DATABASE={TEST_DATABASE!r}: sqlite or postgres")

_TEMPLATE: list[str] = []  # the migrated, seeded template of this test process (path or URL)
_PG_DATABASES: dict[Path, str] = {}  # tmp folder -> its database: the same folder, the same db


def _blocking(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to the end in a thread of its own: callers are often inside a running
    event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def _template() -> str:
    """Migrate and seed once; every bot of the suite starts from a copy (1.5 s -> 0.2 s for
    ``prepare_database``, which still runs and finds it up to date)."""
    if not _TEMPLATE:
        from bot.app import prepare_database

        if TEST_DATABASE == "postgres":
            url = _blocking(create_database(prefix="banbot_tpl_"))
            try:
                _blocking(prepare_database(Settings(env="test", database_url=url)))  # type: ignore[call-arg]
            except BaseException:
                _blocking(drop_database(url))
                raise
            _TEMPLATE.append(url)  # dropped at the end of the session (_drop_template)
        else:
            path = Path(tempfile.mkdtemp(prefix="banbot-template-")) / "banbot.db"
            url = f"sqlite+aiosqlite:///{path}"
            _blocking(prepare_database(Settings(env="test", database_url=url)))  # type: ignore[call-arg]
            _TEMPLATE.append(str(path))
    return _TEMPLATE[0]


def _postgres_database(tmp: Path) -> str:
    """The database of ``tmp``: a copy of the template, made at the first call."""
    if tmp not in _PG_DATABASES:
        template = make_url(_template()).database
        assert template is not None
        _PG_DATABASES[tmp] = _blocking(create_database(template=template))
    return _PG_DATABASES[tmp]


def make_settings(tmp: Path, **overrides: object) -> Settings:
    """Settings for an isolated bot: its own database (a copy of the migrated, seeded
    template: a SQLite file in ``tmp``, or with ``BANBOT_TEST_DATABASE=postgres`` a PostgreSQL
    database kept until the end of the test), in-process state unless overridden."""
    from bench.webhooks import UNPACED  # imports the bot: not at collection

    values: dict[str, object] = {
        "env": "test",
        "database_url": f"sqlite+aiosqlite:///{tmp / 'banbot.db'}",
        "redis_url": None,
        # Conversations in tests go faster than any person types: no per-sender pacing unless a
        # test asks for it (tests/web/test_flood.py).
        "limits": UNPACED,
    }
    if tmp.is_dir():  # messages kept while the database is down: this bot's own folder
        values["spool_dir"] = tmp / "spool"
    if "database_url" not in overrides and tmp.is_dir():  # not Path("/nonexistent")
        if TEST_DATABASE == "postgres":
            values["database_url"] = _postgres_database(tmp)
        elif not (tmp / "banbot.db").exists():
            shutil.copyfile(_template(), tmp / "banbot.db")
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """Drop the PostgreSQL databases make_settings created for this test (autouse: set up
    first, so torn down after the fixtures that closed the bots)."""
    yield
    while _PG_DATABASES:
        _blocking(drop_database(_PG_DATABASES.popitem()[1]))


@pytest.fixture(autouse=True, scope="session")
def _drop_template() -> Iterator[None]:
    yield
    if TEST_DATABASE == "postgres" and _TEMPLATE:
        _blocking(drop_database(_TEMPLATE.pop()))


@pytest.fixture
async def bot_app(tmp_path: Path) -> AsyncIterator[App]:
    """A whole bot on embedded defaults (its own database, memory state, built-in NLU)."""
    from bot.app import build_app

    app = await build_app(make_settings(tmp_path))
    try:
        yield app
    finally:
        await app.aclose()
