"""The backbone's tables, on SQLite and PostgreSQL: jobs, role codes, audit, the message log,
re-sendable outbound rows, and work handed over only after commit."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.roles import normalize_code
from bot.store import Store
from bot.store.work import Work

from .helpers import Boom, resident

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


class TestWorkAfterCommit:
    async def test_work_reaches_the_hook_only_after_commit(self, store: Store) -> None:
        seen: list[tuple[Work, ...]] = []

        async def hook(work: Sequence[Work]) -> None:
            seen.append(tuple(work))

        store.on_commit(hook)
        cid = await resident(store)
        with pytest.raises(Boom):
            async with store.transaction() as tx:
                await tx.jobs.add("report.alert", {"report_id": 1})
                raise Boom
        assert seen == []  # a rolled-back transaction leaves nothing to do
        async with store.transaction() as tx:
            job = await tx.jobs.add("report.alert", {"report_id": 1}, key="alert:1")
            mid = await tx.outbound.create(
                contact_id=cid, adapter="telegram", urn="telegram:1001", text="x",
                rendering="telegram", priority="bulk", kind="notice",
            )  # fmt: skip
            assert seen == []  # not before the commit
            reply = await tx.outbound.create(
                contact_id=cid, adapter="telegram", urn="telegram:1001", text="y",
                rendering="telegram",
            )  # fmt: skip
        # a reply is sent on its own; a bulk message wakes its adapter's pump
        assert seen == [
            (
                Work("job", job.id, "reply", job.run_at),
                Work("pump", 0, "bulk", None, "telegram"),
                Work("send", reply, "reply", None, "telegram"),
            )
        ]
        assert mid != reply

    async def test_a_failing_hook_does_not_undo_the_commit(self, store: Store) -> None:
        async def hook(work: Sequence[Work]) -> None:
            raise RuntimeError("queue down")

        store.on_commit(hook)
        async with store.transaction() as tx:
            job = await tx.jobs.add("x", {})
        async with store.transaction() as tx:
            found = await tx.jobs.get(job.id)
        assert found is not None and found.status == "pending"  # the sweeper will queue it


class TestJobs:
    async def test_key_makes_a_job_idempotent(self, store: Store) -> None:
        async with store.transaction() as tx:
            a = await tx.jobs.add("report.alert", {"report_id": 7}, key="alert:7:0")
            b = await tx.jobs.add("report.alert", {"report_id": 7}, key="alert:7:0")
        assert a.id == b.id

    async def test_lifecycle_and_what_the_sweeper_sees(self, store: Store) -> None:
        async with store.transaction() as tx:
            due = await tx.jobs.add("a", {"n": 1}, run_at=T0)
            later = await tx.jobs.add("b", {}, run_at=T0 + timedelta(hours=1))
            assert [j.id for j in await tx.jobs.due(now=T0, stale_running=T0)] == [due.id]
            taken = await tx.jobs.start(due.id)
            assert taken is not None and (taken.status, taken.attempts) == ("running", 1)
            # a running job is not due again until its worker is presumed dead
            hour_ago = datetime.now(UTC) - timedelta(hours=1)
            assert await tx.jobs.due(now=T0, stale_running=hour_ago) == []
            stale = await tx.jobs.due(
                now=T0 + timedelta(hours=2), stale_running=datetime.now(UTC) + timedelta(1)
            )
            assert {j.id for j in stale} == {due.id, later.id}
            await tx.jobs.finish(due.id)
            assert await tx.jobs.start(due.id) is None  # done stays done
            await tx.jobs.retry(later.id, run_at=T0, error="boom", lane="reply")
            again = await tx.jobs.get(later.id)
            assert again is not None and (again.status, again.last_error) == ("pending", "boom")
            assert await tx.jobs.cancel("nope") is False


class TestRoleCodes:
    async def test_code_works_once_then_refuses(self, store: Store) -> None:
        a, b = await resident(store, "telegram:1"), await resident(store, "telegram:2")
        async with store.transaction() as tx:
            code, rec = await tx.role_codes.issue(
                role="head", village_id="03664:nam niệu", issued_by="cli:test",
                ttl=timedelta(days=3), now=T0,
            )  # fmt: skip
        assert normalize_code(code.lower().replace("-", " ")) == code
        async with store.transaction() as tx:
            ok = await tx.role_codes.redeem(code.lower(), a, now=T0 + timedelta(hours=1))
            again = await tx.role_codes.redeem(code, b, now=T0 + timedelta(hours=2))
            wrong = await tx.role_codes.redeem("VT-2222-2222", b, now=T0)
            junk = await tx.role_codes.redeem("xin chào", b, now=T0)
        assert ok.refusal is None and ok.grant is not None and ok.grant.used_by == a
        assert ok.grant.village_id == "03664:nam niệu" and ok.grant.id == rec.id
        assert again.refusal == "used" and again.grant is not None and again.grant.used_by == a
        assert wrong == junk and wrong.refusal == "unknown" and wrong.grant is None

    async def test_expired_code_is_refused(self, store: Store) -> None:
        cid = await resident(store)
        async with store.transaction() as tx:
            code, _ = await tx.role_codes.issue(
                role="officer", commune_code="03664", issued_by="cli:test",
                ttl=timedelta(hours=1), now=T0,
            )  # fmt: skip
            late = await tx.role_codes.redeem(code, cid, now=T0 + timedelta(hours=1, seconds=1))
        assert late.refusal == "expired"

    @pytest.mark.parametrize(
        ("role", "place"),
        [("resident", {}), ("head", {}), ("officer", {"village_id": "03664:panh"})],
    )
    async def test_a_code_needs_a_grantable_role_and_its_place(
        self, store: Store, role: str, place: dict[str, str]
    ) -> None:
        async with store.transaction() as tx:
            with pytest.raises(ValueError):
                await tx.role_codes.issue(
                    role=role, issued_by="cli:test", ttl=timedelta(days=1), **place
                )

    async def test_two_people_racing_with_one_code_one_wins(self, store: Store) -> None:
        ids = [await resident(store, f"telegram:{n}") for n in range(4)]
        async with store.transaction() as tx:
            code, _ = await tx.role_codes.issue(
                role="admin", issued_by="cli:test", ttl=timedelta(days=1)
            )

        async def try_it(cid: int) -> str | None:
            async with store.transaction() as tx:
                return (await tx.role_codes.redeem(code, cid)).refusal

        results = await asyncio.gather(*(try_it(c) for c in ids))
        assert sorted(results, key=str) == [None, "used", "used", "used"]


class TestAuditAndMessages:
    async def test_audit_is_append_only_and_filterable(self, store: Store) -> None:
        async with store.transaction() as tx:
            await tx.audit.record(actor="cli:root", action="role.code_issued", target="village:x")
            await tx.audit.record(
                actor="contact:1", action="role.granted", target="village:x",
                detail={"role": "head"}, ip=None,
            )  # fmt: skip
            await tx.audit.record(actor="contact:2", action="role.refused", target=None)
            rows = await tx.audit.recent(target="village:x")
        assert [r.action for r in rows] == ["role.granted", "role.code_issued"]
        assert rows[0].detail == {"role": "head"}

    async def test_conversation_interleaves_both_directions(self, store: Store) -> None:
        cid = await resident(store, "zalo:9")
        async with store.transaction() as tx:
            await tx.messages.log_inbound(
                contact_id=cid, adapter="zalo", urn="zalo:9", text="nhà em bị ngập",
                at=datetime.now(UTC) - timedelta(seconds=5),
            )  # fmt: skip
            await tx.outbound.create(
                contact_id=cid, adapter="zalo", urn="zalo:9", text="Có ai gặp nguy hiểm không?",
                rendering="zalo", buttons=[("Có", "ds:danger:yes")],
            )  # fmt: skip
            await tx.messages.log_inbound(
                contact_id=cid, adapter="zalo", urn="zalo:9", text="Có", button="ds:danger:yes",
                at=datetime.now(UTC) + timedelta(seconds=5),
            )  # fmt: skip
            talk = await tx.messages.conversation(cid)
            last = await tx.messages.conversation(cid, limit=1)
        assert [(m.direction, m.text) for m in talk] == [
            ("in", "nhà em bị ngập"),
            ("out", "Có ai gặp nguy hiểm không?"),
            ("in", "Có"),
        ]
        assert [m.text for m in last] == ["Có"]


class TestOutboundRows:
    async def test_a_row_holds_what_it_needs_to_be_sent_again(self, store: Store) -> None:
        markup = {"inline_keyboard": [[{"text": "Có", "callback_data": "x:y:yes"}]]}
        async with store.transaction() as tx:
            mid = await tx.outbound.create(
                contact_id=None, adapter="telegram", urn="telegram:5", text="Chào",
                rendering="telegram", kind="alert", buttons=[("Có", "x:y:yes")],
                meta={"reply_markup": markup}, idempotency_key="alert:5",
            )  # fmt: skip
            twice = await tx.outbound.create(
                contact_id=None, adapter="telegram", urn="telegram:5", text="Chào",
                rendering="telegram", kind="alert", idempotency_key="alert:5",
            )  # fmt: skip
            rec = await tx.outbound.get(mid)
        assert twice == mid
        assert rec is not None and rec.buttons == (("Có", "x:y:yes"),)
        assert (rec.kind, rec.meta["reply_markup"], rec.status) == ("alert", markup, "queued")

    async def test_sending_requeue_unknown_and_what_the_sweeper_sees(self, store: Store) -> None:
        async with store.transaction() as tx:
            ids = []
            for n in range(3):
                ids.append(
                    await tx.outbound.create(
                        contact_id=None,
                        adapter="twilio_sms",
                        urn="tel:+84912345678",
                        text=str(n),
                        rendering="sms",
                    )
                )
            old = datetime.now(UTC) - timedelta(minutes=5)
            first = await tx.outbound.start_sending(ids[0], stale_before=old)
            assert first is not None and (first.status, first.attempts) == ("sending", 1)
            second = await tx.outbound.get(ids[1])
            assert second is not None and await tx.outbound.earlier_open(second)
            assert await tx.outbound.requeue(ids[0], attempts=0)
            assert await tx.outbound.start_sending(ids[0], stale_before=old) is not None
            # taken and fresh: nobody else takes it; stale: its sender died, it is taken again
            assert await tx.outbound.start_sending(ids[0], stale_before=old) is None
            future = datetime.now(UTC) + timedelta(minutes=1)
            again = await tx.outbound.start_sending(ids[0], stale_before=future)
            assert again is not None and again.attempts == 2
            assert await tx.outbound.mark_unknown(ids[0], code="timeout", attempts=1)
            assert await tx.outbound.start_sending(ids[0], stale_before=future) is None
            assert not await tx.outbound.requeue(ids[0])
            assert await tx.outbound.mark_skipped(ids[2], reason="stopped")
            left = await tx.outbound.lost_replies(older_than=future, stale_sending=future)
        assert left == [ids[1]]
