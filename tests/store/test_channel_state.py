"""SqlChannelState: the ChannelState contract on both SQL backends, and on memory too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.channels.state import MemoryChannelState
from bot.ports import ChannelState
from bot.store import Store
from bot.store.channel_state import SqlChannelState


@pytest.fixture(params=["sql", "memory"])
async def state(request: pytest.FixtureRequest, store: Store) -> AsyncIterator[ChannelState]:
    yield SqlChannelState(store) if request.param == "sql" else MemoryChannelState()


class TestChannelStateContract:
    async def test_absent_then_first_write_is_version_one(self, state: ChannelState) -> None:
        assert await state.get("zalo:token") is None
        assert await state.put("zalo:token", {"access": "a1"}, expected_version=None)
        assert await state.get("zalo:token") == ({"access": "a1"}, 1)

    async def test_insert_only_once(self, state: ChannelState) -> None:
        assert await state.put("k", {"n": 1}, expected_version=None)
        assert not await state.put("k", {"n": 2}, expected_version=None)
        assert await state.get("k") == ({"n": 1}, 1)

    async def test_compare_and_set_wins_once_per_version(self, state: ChannelState) -> None:
        await state.put("k", {"refresh": "r1"}, expected_version=None)
        assert await state.put("k", {"refresh": "r2"}, expected_version=1)
        assert not await state.put("k", {"refresh": "r3"}, expected_version=1)  # stale
        assert not await state.put("k", {"refresh": "r3"}, expected_version=5)  # future
        assert not await state.put("missing", {"x": 1}, expected_version=1)
        assert await state.get("k") == ({"refresh": "r2"}, 2)

    async def test_json_values_round_trip_with_vietnamese(self, state: ChannelState) -> None:
        value = {"name": "Bản Bot", "nested": {"list": [1, 2.5, None, True]}}
        await state.put("k", value, expected_version=None)
        got = await state.get("k")
        assert got == (value, 1)

    async def test_concurrent_writers_exactly_one_wins(self, state: ChannelState) -> None:
        """The single-use refresh token: N refreshers read version 1, only one may write."""
        await state.put("zalo:token", {"refresh": "r0"}, expected_version=None)
        results = await asyncio.gather(
            *(state.put("zalo:token", {"refresh": f"r{i}"}, expected_version=1) for i in range(8))
        )
        assert sorted(results) == [False] * 7 + [True]
        got = await state.get("zalo:token")
        assert got is not None and got[1] == 2
        assert got[0]["refresh"] == f"r{results.index(True)}"
