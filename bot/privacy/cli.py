"""``banbot data purge [--dry-run]``: apply the retention settings now (the job does it on
schedule); prints what was (or would be) removed, as JSON."""

from __future__ import annotations

import asyncio
import json

import click

from bot.config import get_settings


@click.group()
def data() -> None:
    """Personal data (Decree 13/2023): retention."""


@data.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would go.")
def purge_command(dry_run: bool) -> None:
    """Delete or redact what outlived BANBOT_RETENTION__* now."""
    counts = asyncio.run(_purge(dry_run))
    click.echo(json.dumps({"dry_run": dry_run, **counts}))


async def _purge(dry_run: bool) -> dict[str, int]:
    from bot.privacy.retention import purge
    from bot.store import Store
    from bot.store.types import utcnow

    settings = get_settings()  # the schema must be current (`banbot db upgrade`, or any start)
    store = Store(settings.database_url)
    try:
        async with store.transaction() as tx:
            counts = await purge(tx, settings.retention, utcnow(), dry_run=dry_run)
    finally:
        await store.close()
    return counts.as_json()
