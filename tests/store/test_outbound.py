"""Outbound messages on both backends: statuses only move forward, callbacks out of order."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Store
from bot.store.bulk import SentMark

from .helpers import resident


async def _message(store: Store, contact_id: int | None, adapter: str = "twilio_sms") -> int:
    async with store.transaction() as tx:
        return await tx.outbound.create(
            contact_id=contact_id,
            adapter=adapter,
            urn="tel:+84912345678",
            text="Chào bà con",
            rendering="sms",
        )


async def _sent(store: Store, mid: int, external_id: str = "SM1") -> None:
    async with store.transaction() as tx:
        assert await tx.outbound.mark_sent(mid, external_id=external_id, segments=2, attempts=1)


class TestOutboundContract:
    async def test_create_then_sent_then_delivered(self, store: Store) -> None:
        cid = await resident(store)
        mid = await _message(store, cid)
        async with store.transaction() as tx:
            rec = await tx.outbound.get(mid)
        assert rec is not None
        assert (rec.status, rec.attempts, rec.priority, rec.contact_id) == (
            "queued",
            0,
            "reply",
            cid,
        )
        await _sent(store, mid)
        async with store.transaction() as tx:
            got = await tx.outbound.record_status("twilio_sms", "SM1", "delivered")
        assert got is not None
        assert (got.status, got.external_id, got.segments, got.attempts) == (
            "delivered",
            "SM1",
            2,
            1,
        )
        assert got.updated_at >= got.created_at

    @pytest.mark.parametrize(
        ("first", "late", "final"),
        [
            ("delivered", "sent", "delivered"),
            ("read", "delivered", "read"),
            ("failed", "delivered", "failed"),
            ("failed", "sent", "failed"),
            ("delivered", "failed", "delivered"),
            ("sent", "read", "read"),
        ],
    )
    async def test_out_of_order_callbacks_never_downgrade(
        self, store: Store, first: str, late: str, final: str
    ) -> None:
        mid = await _message(store, None)
        await _sent(store, mid)
        async with store.transaction() as tx:
            await tx.outbound.record_status("twilio_sms", "SM1", first, error_code="30003")
            rec = await tx.outbound.record_status("twilio_sms", "SM1", late)
        assert rec is not None
        assert rec.status == final

    async def test_every_order_of_three_callbacks_ends_at_the_furthest(self, store: Store) -> None:
        for n, order in enumerate(itertools.permutations(["sent", "delivered", "read"])):
            mid = await _message(store, None)
            await _sent(store, mid, f"X{n}")
            async with store.transaction() as tx:
                for status in order:
                    await tx.outbound.record_status("twilio_sms", f"X{n}", status)
                rec = await tx.outbound.get(mid)
            assert rec is not None and rec.status == "read", order

    async def test_failed_records_kind_and_code_and_blocks_sent(self, store: Store) -> None:
        mid = await _message(store, None)
        async with store.transaction() as tx:
            assert await tx.outbound.mark_failed(mid, kind="stopped", code="21610", attempts=1)
            assert not await tx.outbound.mark_sent(mid, external_id="SM9", segments=1, attempts=2)
            rec = await tx.outbound.get(mid)
        assert rec is not None
        assert (rec.status, rec.error_kind, rec.error_code, rec.external_id) == (
            "failed", "stopped", "21610", None,
        )  # fmt: skip

    async def test_status_for_unknown_or_other_channel_is_none(self, store: Store) -> None:
        mid = await _message(store, None, adapter="android_sms")
        await _sent(store, mid, "abc")
        async with store.transaction() as tx:
            assert await tx.outbound.record_status("twilio_sms", "abc", "delivered") is None
            assert await tx.outbound.record_status("android_sms", "zzz", "delivered") is None
            rec = await tx.outbound.get(mid)
            with pytest.raises(ValueError, match="status"):
                await tx.outbound.record_status("android_sms", "abc", "undelivered")
            with pytest.raises(ValueError, match="priority"):
                await tx.outbound.create(
                    contact_id=None,
                    adapter="x",
                    urn="x:1",
                    text="",
                    rendering="sms",
                    priority="urgent",
                )
        assert rec is not None and rec.status == "sent"


class TestBulkMarks:
    """A pump's group commit: several rows marked in flight / sent in one statement."""

    async def test_in_flight_many_marks_only_claimed_rows(self, store: Store) -> None:
        ids = [await _bulk(store, n) for n in range(3)]
        now = datetime.now(UTC)
        async with store.transaction() as tx:
            claimed = await tx.outbound.claim_bulk("telegram", limit=2, now=now, stale_before=now)
            assert [r.id for r in claimed] == ids[:2]
            await tx.outbound.mark_in_flight_many(ids)  # ids[2] is queued: not touched
        later = now + timedelta(minutes=5)  # as if their pump died: taken again
        async with store.transaction() as tx:
            again = await tx.outbound.claim_bulk("telegram", limit=3, now=later, stale_before=later)
        # claimed rows were in flight: they may have gone; the queued one surely not
        assert [(r.id, r.maybe_twice) for r in again] == [
            (ids[0], True), (ids[1], True), (ids[2], False)
        ]  # fmt: skip

    async def test_sent_many_moves_only_rows_that_may_move(self, store: Store) -> None:
        ids = [await _bulk(store, n) for n in range(3)]
        now = datetime.now(UTC)
        async with store.transaction() as tx:
            await tx.outbound.claim_bulk("telegram", limit=2, now=now, stale_before=now)
            assert await tx.outbound.mark_skipped(ids[1], reason="stopped")  # STOP won
            await tx.outbound.mark_sent_many(
                [SentMark(ids[0], "tg-0", None, 1), SentMark(ids[1], "tg-1", 3, 1),
                 SentMark(ids[2], "tg-2", 2, 1)]
            )  # fmt: skip
        async with store.read() as tx:
            rows = [await tx.outbound.get(mid) for mid in ids]
        got = [(r.status, r.external_id, r.segments, r.attempts) for r in rows if r is not None]
        assert got == [
            ("sent", "tg-0", None, 1),  # segments unknown: kept as they were
            ("skipped", None, None, 1),  # a terminal status is never overwritten
            ("sent", "tg-2", 2, 1),  # queued -> sent is allowed (as mark_sent)
        ]


async def _bulk(store: Store, n: int) -> int:
    async with store.transaction() as tx:
        return await tx.outbound.create(
            contact_id=None, adapter="telegram", urn=f"telegram:{n}", text="Thông báo",
            rendering="telegram", priority="bulk",
        )  # fmt: skip
