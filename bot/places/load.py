"""Persisting places: the seed gazetteer into SQL, and officers' CSV imports of villages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.places.gazetteer import Gazetteer
from bot.places.importer import read_villages_csv
from bot.store.migrate import upgrade_database
from bot.store.repo import Store


async def seed_places(store: Store, places_dir: Path) -> int:
    """Upsert the seed communes, predecessors and villages; returns the new village count."""
    seed = Gazetteer.load(places_dir)
    async with store.transaction() as tx:
        await tx.places.upsert_communes(seed.communes())
        await tx.places.add_predecessors(seed.predecessor_rows())
        return await tx.places.upsert_villages(seed.all_villages(), source="seed")


async def load_gazetteer(store: Store) -> Gazetteer:
    """The gazetteer as stored (seed plus every import)."""
    async with store.transaction() as tx:
        communes, villages, predecessors = await tx.places.load()
    return Gazetteer.from_records(communes, villages, predecessors)


async def import_villages(
    settings: Settings, csv_file: Path, *, dry_run: bool, echo: Callable[[str], None]
) -> bool:
    """Validate ``csv_file`` and add its villages. Returns False if the file had errors.

    Nothing is written when any row is bad, so an officer can fix the file and run it again.
    """
    await upgrade_database(settings.database_url)
    store = Store(settings.database_url)
    try:
        await seed_places(store, settings.data_dir / "places")
        gazetteer = await load_gazetteer(store)
        result = read_villages_csv(csv_file, gazetteer)
        for line, message in result.errors:
            echo(f"dòng {line}: {message}")
        if result.errors:
            echo(f"{len(result.errors)} lỗi — chưa thêm bản nào / errors, nothing imported")
            return False
        if dry_run:
            echo(f"{len(result.villages)} bản hợp lệ (dry run)")
            return True
        async with store.transaction() as tx:
            added = await tx.places.upsert_villages(result.villages, source=str(csv_file.name))
        echo(
            f"đã thêm {added} bản; {result.skipped_duplicates} bản đã có / "
            f"added {added}, {result.skipped_duplicates} already known"
        )
        return True
    finally:
        await store.close()
