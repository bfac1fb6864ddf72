"""``banbot data purge [--dry-run]`` on a temporary database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import get_settings
from bot.store import Store, upgrade_database
from bot.store.types import utcnow


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("BANBOT_DATABASE_URL", url)
    monkeypatch.setenv("BANBOT_RETENTION__INBOUND_MESSAGE_DAYS", "30")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


async def _seed(url: str) -> None:
    await upgrade_database(url)
    store = Store(url)
    try:
        async with store.transaction() as tx:
            c = await tx.contacts.get_or_create("sim:hoa", "sim", "vi")
            for days in (45, 5):
                at = utcnow() - timedelta(days)
                await tx.messages.log_inbound(
                    contact_id=c.id, adapter="sim", urn="sim:hoa", text="nhà em bị ngập", at=at
                )
    finally:
        await store.close()


async def _kept(url: str) -> int:
    store = Store(url)
    try:
        async with store.read() as tx:
            contact = await tx.contacts.by_urn("sim:hoa")
            assert contact is not None
            return (await tx.privacy.holdings(contact.id)).messages_kept
    finally:
        await store.close()


def test_dry_run_counts_and_a_real_run_purges(db_url: str) -> None:
    asyncio.run(_seed(db_url))
    dry = CliRunner().invoke(main, ["data", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    counts = json.loads(dry.stdout)
    assert counts == {"dry_run": True, "inbound_deleted": 1, "outbound_redacted": 0,
                      "reports_anonymised": 0}  # fmt: skip
    assert asyncio.run(_kept(db_url)) == 2
    real = CliRunner().invoke(main, ["data", "purge"])
    assert real.exit_code == 0, real.output
    assert json.loads(real.stdout) == {**counts, "dry_run": False}
    assert asyncio.run(_kept(db_url)) == 1
