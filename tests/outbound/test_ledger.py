"""The pump's Ledger: marks asked for together are written together, and a caller returns
only once its mark is committed — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest

from bot.outbound.pump import Ledger
from bot.store.bulk import SentMark
from bot.store.repo import Store, Tx


class Counting:
    """The store, counting its write transactions (and able to fail the next one)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.transactions = 0
        self.fail_next = False

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        self.transactions += 1
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("database gone")
        async with self._store.transaction() as tx:
            yield tx


async def _claimed(store: Store, n: int) -> list[int]:
    async with store.transaction() as tx:
        for k in range(n):
            await tx.outbound.create(
                contact_id=None, adapter="telegram", urn=f"telegram:{k}", text="Thông báo",
                rendering="telegram", priority="bulk",
            )  # fmt: skip
        now = datetime.now(UTC)
        rows = await tx.outbound.claim_bulk("telegram", limit=n, now=now, stale_before=now)
    return [r.id for r in rows]


async def test_marks_asked_together_share_a_transaction(store: Store) -> None:
    ids = await _claimed(store, 8)
    counting = Counting(store)
    ledger = Ledger(counting)  # type: ignore[arg-type]
    await asyncio.gather(*(ledger.in_flight(i) for i in ids))
    assert counting.transactions <= 2  # the first alone, the seven asked meanwhile together
    await asyncio.gather(*(ledger.sent(SentMark(i, f"tg-{i}", None, 1)) for i in ids))
    await ledger.aclose()
    assert counting.transactions <= 4
    # committed when the callers returned: another session sees every row sent
    async with store.read() as tx:
        rows = [await tx.outbound.get(i) for i in ids]
    assert [(r.status, r.external_id) for r in rows if r] == [("sent", f"tg-{i}") for i in ids]


async def test_in_flight_marks_are_what_a_dead_pump_leaves(store: Store) -> None:
    ids = await _claimed(store, 3)
    ledger = Ledger(store)
    await ledger.in_flight(ids[0])  # its call started, then the worker died
    later = datetime.now(UTC) + timedelta(minutes=5)
    async with store.transaction() as tx:
        again = await tx.outbound.claim_bulk("telegram", limit=3, now=later, stale_before=later)
    assert [(r.id, r.maybe_twice) for r in again] == [
        (ids[0], True), (ids[1], False), (ids[2], False)
    ]  # fmt: skip


async def test_a_failed_write_fails_its_callers_and_the_next_one_goes_on(store: Store) -> None:
    ids = await _claimed(store, 2)
    counting = Counting(store)
    ledger = Ledger(counting)  # type: ignore[arg-type]
    counting.fail_next = True
    with pytest.raises(ConnectionError):
        await ledger.sent(SentMark(ids[0], "tg-a", None, 1))
    await ledger.sent(SentMark(ids[1], "tg-b", None, 1))
    async with store.read() as tx:
        first, second = await tx.outbound.get(ids[0]), await tx.outbound.get(ids[1])
    assert first is not None and first.status == "sending"  # not recorded: still open
    assert second is not None and second.status == "sent"
