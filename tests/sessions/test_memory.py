"""What only the memory backends promise: exact TTL edges and bounded memory."""

from __future__ import annotations

import asyncio

import pytest

from bot.sessions import memory
from bot.sessions.memory import MemoryDeduper, MemoryLocker, MemorySessionStore
from tests.sessions.conftest import FakeClock


async def test_session_lives_until_exactly_its_ttl(clock: FakeClock) -> None:
    store = MemorySessionStore(clock)
    await store.save("k", {"step": 1}, 60)
    clock.now += 59.999
    assert await store.load("k") == {"step": 1}
    clock.now += 0.001
    assert await store.load("k") is None
    assert len(store) == 0  # dropped when read


async def test_save_restarts_the_ttl(clock: FakeClock) -> None:
    store = MemorySessionStore(clock)
    await store.save("k", {"step": 1}, 60)
    clock.now += 50
    await store.save("k", {"step": 2}, 60)
    clock.now += 50
    assert await store.load("k") == {"step": 2}


async def test_expired_entries_are_swept_without_being_read(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory, "SWEEP_EVERY", 10)
    store, deduper = MemorySessionStore(clock), MemoryDeduper(clock)
    for i in range(9):
        await store.save(f"old{i}", {}, 5)
        await deduper.first_time(f"old{i}", 5)
    clock.now += 6
    await store.save("new", {}, 5)  # the 10th write sweeps
    await deduper.first_time("new", 5)
    assert (len(store), len(deduper)) == (1, 1)


async def test_lock_entries_are_removed_when_unused() -> None:
    locker = MemoryLocker()
    async with locker.lock("a"):
        assert len(locker) == 1
    assert len(locker) == 0

    with pytest.raises(ValueError, match="boom"):
        async with locker.lock("b"):
            raise ValueError("boom")
    assert len(locker) == 0

    async with locker.lock("c"):
        with pytest.raises(TimeoutError, match="'c'"):
            async with locker.lock("c", timeout_seconds=0.01):
                pass
        assert len(locker) == 1  # the holder's entry survives the waiter's timeout
    assert len(locker) == 0


async def test_lock_entry_survives_while_waiters_remain() -> None:
    locker = MemoryLocker()
    order: list[int] = []

    async def worker(i: int) -> None:
        async with locker.lock("k", timeout_seconds=5):
            order.append(i)
            await asyncio.sleep(0.001)

    await asyncio.gather(*(worker(i) for i in range(5)))
    assert sorted(order) == [0, 1, 2, 3, 4]
    assert len(locker) == 0


async def test_cancelled_waiter_does_not_leak_or_block() -> None:
    locker = MemoryLocker()
    async with locker.lock("k"):
        waiter = asyncio.create_task(locker.lock("k").__aenter__())
        await asyncio.sleep(0.01)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    assert len(locker) == 0
    async with locker.lock("k", timeout_seconds=0.1):
        pass
