"""Run the Alembic migrations programmatically: no ``alembic.ini`` anywhere.

``banbot db upgrade`` calls :func:`upgrade_database`. Tests build schemas only through it, so
the migrations are what the tests exercise.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from bot.store.engine import make_engine, sqlite_path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic ``Config`` for our migrations against ``url`` (also usable for
    ``command.revision(cfg, autogenerate=True, message=...)`` when writing a new migration)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on a '%' in a URL-encoded password.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade_database(url: str, revision: str = "head", *, _direction: str = "up") -> None:
    """Bring the database at ``url`` to ``revision`` (default: the newest).

    Creates the parent folder of a SQLite file first. Idempotent: at head it does nothing.
    Runs on an async connection; ``env.py`` picks the connection up from ``cfg.attributes``.
    """
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    cfg = alembic_config(url)
    engine = make_engine(url, foreign_keys=False)  # see make_engine: table rebuilds
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade, cfg, revision, _direction)
            if engine.dialect.name == "sqlite":
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} broken foreign keys")
    finally:
        await engine.dispose()


async def downgrade_database(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision`` (tests, and an operator's rollback)."""
    await upgrade_database(url, revision, _direction="down")


def _upgrade(connection: Connection, cfg: Config, revision: str, direction: str) -> None:
    cfg.attributes["connection"] = connection
    if direction == "down":
        command.downgrade(cfg, revision)
    else:
        command.upgrade(cfg, revision)
