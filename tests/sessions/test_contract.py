"""One contract, every backend: memory and real Redis must behave the same."""

from __future__ import annotations

import asyncio
import math
import unicodedata
from datetime import date

import pytest

from tests.sessions.conftest import Backend

TTL = 3600


class TestSessionStore:
    async def test_missing_session_loads_as_none(self, backend: Backend) -> None:
        assert await backend.sessions.load(backend.keys.session("telegram", "telegram:1")) is None

    async def test_save_load_delete(self, backend: Backend) -> None:
        key = backend.keys.session("telegram", "telegram:1")
        state = {"flow": "report_change", "step": 2, "answers": {"members": 5, "ok": True}}
        await backend.sessions.save(key, state, TTL)
        assert await backend.sessions.load(key) == state
        await backend.sessions.delete(key)
        assert await backend.sessions.load(key) is None
        await backend.sessions.delete(key)  # deleting twice is fine

    async def test_save_overwrites(self, backend: Backend) -> None:
        key = backend.keys.session("sms", "tel:+84912345678")
        await backend.sessions.save(key, {"step": 1}, TTL)
        await backend.sessions.save(key, {"step": 2}, TTL)
        assert await backend.sessions.load(key) == {"step": 2}

    async def test_loaded_state_is_a_copy(self, backend: Backend) -> None:
        key = backend.keys.session("zalo", "zalo:9")
        state = {"answers": {"village": "Nà Pó"}}
        await backend.sessions.save(key, state, TTL)
        state["answers"]["village"] = "changed after save"
        loaded = await backend.sessions.load(key)
        assert loaded == {"answers": {"village": "Nà Pó"}}
        loaded["answers"]["village"] = "changed after load"
        assert await backend.sessions.load(key) == {"answers": {"village": "Nà Pó"}}

    async def test_json_reshapes_the_same_everywhere(self, backend: Backend) -> None:
        key = backend.keys.session("telegram", "telegram:2")
        await backend.sessions.save(key, {"pair": (1, 2), "by_id": {7: "x"}}, TTL)
        assert await backend.sessions.load(key) == {"pair": [1, 2], "by_id": {"7": "x"}}

    @pytest.mark.parametrize(
        "bad",
        [
            {"when": date(2025, 1, 1)},
            {"tags": {"flood"}},
            {"obj": object()},
            {"income": math.nan},
            {"income": math.inf},
            ["not", "an", "object"],
        ],
        ids=["date", "set", "object", "nan", "inf", "list"],
    )
    async def test_non_json_state_is_refused_and_nothing_written(
        self, backend: Backend, bad: object
    ) -> None:
        key = backend.keys.session("telegram", "telegram:3")
        await backend.sessions.save(key, {"step": 1}, TTL)
        with pytest.raises(TypeError):
            await backend.sessions.save(key, bad, TTL)  # type: ignore[arg-type]
        assert await backend.sessions.load(key) == {"step": 1}

    @pytest.mark.parametrize("ttl", [0, -5])
    async def test_non_positive_ttl_is_refused(self, backend: Backend, ttl: int) -> None:
        with pytest.raises(ValueError, match="ttl_seconds"):
            await backend.sessions.save(backend.keys.session("t", "a"), {}, ttl)
        with pytest.raises(ValueError, match="ttl_seconds"):
            await backend.deduper.first_time(backend.keys.dedupe("t", "a", "m1"), ttl)

    async def test_session_expires_after_its_ttl(self, backend: Backend) -> None:
        key = backend.keys.session("telegram", "telegram:4")
        await backend.sessions.save(key, {"step": 1}, 1)
        await backend.elapse(0.5)
        assert await backend.sessions.load(key) == {"step": 1}
        await backend.elapse(0.6)
        assert await backend.sessions.load(key) is None

    async def test_vietnamese_text_round_trips_exactly(self, backend: Backend) -> None:
        key = backend.keys.session("sms", "tel:+84987654321")
        nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hằng, bản Nậm Cượm")
        state = {
            "text": "Nhà tôi bị ngập ở bản Nam Niệu, phường Chiềng An",
            "unaccented": "nha toi bi ngap, vay 1tr5 dc ko e",
            "nfd": nfd,
            "Địa chỉ": "Thái Nguyên 🌧",
        }
        await backend.sessions.save(key, state, TTL)
        loaded = await backend.sessions.load(key)
        assert loaded == state
        assert loaded is not None and loaded["nfd"] == nfd  # not normalised to NFC on the way

    async def test_crafted_addresses_get_separate_sessions(self, backend: Backend) -> None:
        pairs = [("telegram", "1:x"), ("telegram:1", "x"), ("telegram", "1%3Ax"), ("t", "a:b:c")]
        for i, (channel, address) in enumerate(pairs):
            await backend.sessions.save(backend.keys.session(channel, address), {"i": i}, TTL)
        for i, (channel, address) in enumerate(pairs):
            assert await backend.sessions.load(backend.keys.session(channel, address)) == {"i": i}


class TestLocker:
    async def test_second_holder_times_out_while_first_holds(self, backend: Backend) -> None:
        key = backend.keys.lock("telegram", "telegram:1")
        async with backend.locker.lock(key):
            with pytest.raises(TimeoutError):
                async with backend.locker.lock(key, timeout_seconds=0.2):
                    pytest.fail("got a lock that is held")
        async with backend.locker.lock(key, timeout_seconds=1):
            pass  # free again once the first holder left

    async def test_waiter_gets_the_lock_when_released(self, backend: Backend) -> None:
        key = backend.keys.lock("telegram", "telegram:1")
        events: list[str] = []
        held = asyncio.Event()

        async def first() -> None:
            async with backend.locker.lock(key):
                held.set()
                events.append("first in")
                await asyncio.sleep(0.15)
                events.append("first out")

        async def second() -> None:
            await held.wait()
            async with backend.locker.lock(key, timeout_seconds=5):
                events.append("second in")

        await asyncio.gather(first(), second())
        assert events == ["first in", "first out", "second in"]

    async def test_different_keys_do_not_block_each_other(self, backend: Backend) -> None:
        first, second = backend.keys.lock("t", "t:1"), backend.keys.lock("t", "t:2")
        async with backend.locker.lock(first), backend.locker.lock(second, timeout_seconds=0.5):
            pass

    async def test_lock_is_released_when_the_block_raises(self, backend: Backend) -> None:
        key = backend.keys.lock("zalo", "zalo:1")
        with pytest.raises(RuntimeError, match="engine crashed"):
            async with backend.locker.lock(key):
                raise RuntimeError("engine crashed")
        async with backend.locker.lock(key, timeout_seconds=0.5):
            pass

    async def test_lock_then_load_loses_no_update(self, backend: Backend) -> None:
        """Why the pipeline locks before it loads: every read-modify-write lands."""
        lock = backend.keys.lock("telegram", "telegram:1")
        key = backend.keys.session("telegram", "telegram:1")
        await backend.sessions.save(key, {"count": 0}, TTL)

        async def increment() -> None:
            async with backend.locker.lock(lock, timeout_seconds=10):
                state = await backend.sessions.load(key)
                assert state is not None
                await asyncio.sleep(0.005)  # the engine and SQL effects take time
                await backend.sessions.save(key, {"count": state["count"] + 1}, TTL)

        await asyncio.gather(*(increment() for _ in range(10)))
        assert await backend.sessions.load(key) == {"count": 10}

    async def test_without_the_lock_updates_are_lost(self, backend: Backend) -> None:
        """The counter-example to the test above: same work, no lock."""
        key = backend.keys.session("telegram", "telegram:1")
        await backend.sessions.save(key, {"count": 0}, TTL)

        async def increment() -> None:
            state = await backend.sessions.load(key)
            assert state is not None
            await asyncio.sleep(0.005)
            await backend.sessions.save(key, {"count": state["count"] + 1}, TTL)

        await asyncio.gather(*(increment() for _ in range(10)))
        final = await backend.sessions.load(key)
        assert final is not None and final["count"] < 10


class TestDeduper:
    async def test_first_time_true_then_false(self, backend: Backend) -> None:
        key = backend.keys.dedupe("telegram", "telegram:1", "update-100")
        assert await backend.deduper.first_time(key, TTL) is True
        assert await backend.deduper.first_time(key, TTL) is False
        assert await backend.deduper.first_time(key, TTL) is False

    async def test_keys_are_independent(self, backend: Backend) -> None:
        k = backend.keys
        assert await backend.deduper.first_time(k.dedupe("telegram", "telegram:1", "m1"), TTL)
        assert await backend.deduper.first_time(k.dedupe("telegram", "telegram:1", "m2"), TTL)
        assert await backend.deduper.first_time(k.dedupe("telegram", "telegram:2", "m1"), TTL)
        assert await backend.deduper.first_time(k.dedupe("zalo", "telegram:1", "m1"), TTL)
        assert not await backend.deduper.first_time(k.dedupe("telegram", "telegram:1", "m1"), TTL)

    async def test_concurrent_deliveries_only_one_wins(self, backend: Backend) -> None:
        key = backend.keys.dedupe("sms", "tel:+84912345678", "SM123")
        results = await asyncio.gather(*(backend.deduper.first_time(key, TTL) for _ in range(20)))
        assert results.count(True) == 1

    async def test_mark_expires_after_its_ttl(self, backend: Backend) -> None:
        key = backend.keys.dedupe("telegram", "telegram:1", "update-101")
        assert await backend.deduper.first_time(key, 1)
        await backend.elapse(0.5)
        assert not await backend.deduper.first_time(key, 1)
        await backend.elapse(0.6)  # the retry above must not have extended the mark
        assert await backend.deduper.first_time(key, 1)
