"""Notices as the workspace lists them, on SQLite and PostgreSQL: the latest of one commune
or of all, and the progress of many in one query."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store import Store
from bot.store.notices import NoticeRecord

from .helpers import resident

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


async def _notice(store: Store, commune: str | None, text: str) -> NoticeRecord:
    async with store.transaction() as tx:
        return await tx.notices.create(
            sender="user:1", sender_role="officer", topic="village_notices", text=text,
            send_at=T0, commune_code=commune,
        )  # fmt: skip


async def _delivery(
    store: Store,
    notice: NoticeRecord,
    contact: int,
    status: str,
    *,
    part: int = 0,
    maybe_twice: bool = False,
) -> None:
    """One recipient's row (``part`` of a long SMS), written the way the planner writes them."""
    row = {
        "contact_id": contact, "adapter": "telegram", "urn": f"telegram:{contact}",
        "rendering": "telegram", "kind": "notice", "text": notice.text, "buttons": [],
        "request": None, "meta": {}, "status": status,
        "idempotency_key": f"notice:{notice.id}:{contact}:{part}", "not_before": None,
        "external_id": None, "error_kind": None, "error_code": None, "segments": None,
        "attempts": 0, "priority": "bulk", "notice_id": notice.id, "created_at": T0,
        "updated_at": T0, "maybe_twice": maybe_twice,
    }  # fmt: skip
    async with store.transaction() as tx:
        await tx.notices.add_deliveries([row])


class TestNoticeLists:
    async def test_recent_is_newest_first_and_keeps_to_the_commune(self, store: Store) -> None:
        a1 = await _notice(store, "03664", "một")
        b = await _notice(store, "04105", "hai")
        everywhere = await _notice(store, None, "ba")
        a2 = await _notice(store, "03664", "bốn")
        async with store.read() as tx:
            of_a = await tx.notices.recent(commune_code="03664")
            every = await tx.notices.recent()
            last_two = await tx.notices.recent(limit=2)
        assert [n.id for n in of_a] == [a2.id, a1.id]
        assert [n.id for n in every] == [a2.id, everywhere.id, b.id, a1.id]
        assert [n.id for n in last_two] == [a2.id, everywhere.id]

    async def test_progress_of_many_matches_progress_of_each(self, store: Store) -> None:
        first = await _notice(store, "03664", "một")
        second = await _notice(store, "03664", "hai")
        quiet = await _notice(store, "03664", "ba")
        people = [await resident(store, f"telegram:{100 + i}") for i in range(4)]
        await _delivery(store, first, people[0], "sent")
        await _delivery(store, first, people[1], "failed")
        await _delivery(store, first, people[2], "sent")
        await _delivery(store, second, people[3], "skipped")
        async with store.read() as tx:
            many = await tx.notices.progress_of([first, second, quiet])
            each = {n.id: await tx.notices.progress(n) for n in (first, second, quiet)}
            none = await tx.notices.progress_of([])
        assert many == each
        assert many[first.id].counts == {"sent": 2, "failed": 1}
        assert many[second.id].skipped == 1 and many[quiet.id].counts == {}
        assert none == {}

    async def test_progress_counts_people_not_the_parts_of_a_long_sms(self, store: Store) -> None:
        """A 1,000-character notice is several SMS to one person: the sender reads people.
        A person is still open while any part is, failed if any part failed."""
        notice = await _notice(store, "03664", "dài " * 250)
        done, half, broken = [await resident(store, f"telegram:{200 + i}") for i in range(3)]
        for part in range(6):
            await _delivery(store, notice, done, "sent", part=part)
            await _delivery(store, notice, half, "sent" if part < 3 else "queued", part=part)
            await _delivery(store, notice, broken, "failed" if part == 5 else "delivered",
                            part=part, maybe_twice=part == 2)  # fmt: skip
        async with store.read() as tx:
            progress = await tx.notices.progress(notice)
        assert progress.counts == {"sent": 1, "queued": 1, "failed": 1}
        assert (progress.sent, progress.failed, progress.maybe_twice) == (1, 1, 1)


class TestDeliveries:
    async def test_rows_are_written_once_with_their_json_and_segments(self, store: Store) -> None:
        """PostgreSQL takes them by COPY, SQLite by a multi-row insert: the same rows back."""
        notice = await _notice(store, "03664", "Họp bản tối nay")
        person = await resident(store, "tel:+84912000001")
        buttons = [["Cần giúp", "safety:help"], ["An toàn", "safety:ok"]]
        meta = {"encoding": "UCS-2", "ghi_chú": "Nậm Niệu"}
        row = {
            "contact_id": person, "adapter": "android_sms", "urn": "tel:+84912000001",
            "rendering": "sms", "kind": "notice", "text": "Họp bản tối nay", "buttons": buttons,
            "request": None, "meta": meta, "status": "queued",
            "idempotency_key": f"notice:{notice.id}:{person}:0", "not_before": None,
            "external_id": None, "error_kind": None, "error_code": None, "segments": 2,
            "attempts": 0, "priority": "bulk", "notice_id": notice.id, "created_at": T0,
            "updated_at": T0,
        }  # fmt: skip
        for _ in range(2):  # planned twice (a plan job run again): recorded once
            async with store.transaction() as tx:
                await tx.notices.add_deliveries([row])
        async with store.read() as tx:
            assert await tx.notices.delivery_count(notice.id) == 1
            waiting = await tx.outbound.bulk_waiting(now=T0)
        assert waiting == {"android_sms": None}  # queued, due now: a pump will take it
        async with store.transaction() as tx:
            rows = await tx.outbound.claim_bulk("android_sms", limit=5, now=T0, stale_before=T0)
        assert [(r.text, r.buttons, r.meta, r.segments, r.created_at) for r in rows] == [
            ("Họp bản tối nay", (("Cần giúp", "safety:help"), ("An toàn", "safety:ok")), meta,
             2, T0)
        ]  # fmt: skip
