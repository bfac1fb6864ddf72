"""Durable per-channel state with compare-and-set (e.g. Zalo's single-use refresh token).

Two processes refreshing a token at once must not both spend the same refresh token: the
writer states the version it read, and only one ``put`` with that version wins.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Sequence

from bot.domain.json import JSON


class MemoryChannelState:
    """In-process implementation (tests, single process). Values go through JSON."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, int]] = {}
        self._lock = asyncio.Lock()

    async def get(self, key: str) -> tuple[JSON, int] | None:
        found = self._data.get(key)
        return (json.loads(found[0]), found[1]) if found else None

    async def get_many(self, keys: Sequence[str]) -> dict[str, JSON]:
        return {k: json.loads(self._data[k][0]) for k in keys if k in self._data}

    async def put(self, key: str, value: JSON, *, expected_version: int | None) -> bool:
        async with self._lock:
            current = self._data.get(key)
            version = current[1] if current else None
            if version != expected_version:
                return False
            self._data[key] = (json.dumps(copy.deepcopy(value)), (version or 0) + 1)
            return True
