"""``bot.channels.state.ChannelState`` on the SQL store: shared by every process.

Compare-and-set is one statement: ``UPDATE channel_state SET ... WHERE key = :k AND version =
:expected`` (one row changed: the write won), or an ``INSERT`` that only the first writer of a
new key survives (primary key). No read-modify-write race is possible on either backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from bot.domain.json import JSON
from bot.store.engine import READ_ONLY
from bot.store.models import ChannelStateRow
from bot.store.repo import Store
from bot.store.types import utcnow


class SqlChannelState:
    """Key -> (JSON value, version); versions start at 1 and grow by one per write."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, key: str) -> tuple[JSON, int] | None:
        async with self._store.engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True})  # never waits for a writer
            row = (
                await conn.execute(
                    select(ChannelStateRow.value, ChannelStateRow.version).where(
                        ChannelStateRow.key == key
                    )
                )
            ).first()
        return None if row is None else (dict(row[0]), int(row[1]))

    async def get_many(self, keys: Sequence[str]) -> dict[str, JSON]:
        found: dict[str, JSON] = {}
        async with self._store.engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True})
            for start in range(0, len(keys), 500):  # stays under SQLite's bound-variable cap
                rows = await conn.execute(
                    select(ChannelStateRow.key, ChannelStateRow.value).where(
                        ChannelStateRow.key.in_(keys[start : start + 500])
                    )
                )
                found.update({k: dict(v) for k, v in rows})
        return found

    async def put(self, key: str, value: JSON, *, expected_version: int | None) -> bool:
        """Write if the stored version equals ``expected_version`` (None: key must be absent)."""
        now = utcnow()
        try:
            async with self._store.engine.begin() as conn:
                if expected_version is None:
                    await conn.execute(
                        insert(ChannelStateRow).values(
                            key=key, value=value, version=1, updated_at=now
                        )
                    )
                    return True
                result = await conn.execute(
                    update(ChannelStateRow)
                    .where(ChannelStateRow.key == key, ChannelStateRow.version == expected_version)
                    .values(value=value, version=expected_version + 1, updated_at=now)
                )
                return bool(cast(CursorResult[Any], result).rowcount == 1)
        except IntegrityError:
            return False
