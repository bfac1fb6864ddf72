"""The Sender: what each provider answer does to a stored message, on SQLite and PostgreSQL.

Real store, real router and memory limiter on a fake time (nothing waits for real); the
adapters are recording fakes that follow a script (tests/channels/fakes.py)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime, timedelta

import pytest

from bot.channels.base import SendError, SendResult
from bot.domain.messages import Outbound
from bot.jobs.local import LocalQueue
from bot.outbound.limiter import Rate
from bot.outbound.retry import RetryPolicy
from bot.outbound.sender import STALE_SENDING, WINDOW_CLOSED
from bot.store.repo import Store
from bot.store.work import Work
from tests.channels.fakes import FakeAdapter

from .harness import FakeTime, bench, fake

RETRY = RetryPolicy(max_attempts=3, base_delay=2.0, max_delay=60.0, max_throttled=2)


class TestAnswers:
    async def test_sent_records_the_external_id_and_segments(self, store: Store) -> None:
        sms = fake("android_sms", SendResult(external_id="gw-77", segments=2))
        b = bench(store, sms)
        cid = await b.person("tel:+84912345678")
        mid = await b.message(cid, "tel:+84912345678", "Lũ về, lên đồi ngay", segments=1)
        assert await b.sender.deliver(mid) is None
        row = await b.row(mid)
        assert (row.status, row.external_id, row.segments, row.attempts) == ("sent", "gw-77", 2, 1)
        assert [m.text for m in sms.sent] == ["Lũ về, lên đồi ngay"]
        # the provider learns our id, so a retried send can be recognised
        assert sms.sent[0].meta["outbound_id"] == mid

    async def test_retryable_backs_off_then_fails_after_max_attempts(self, store: Store) -> None:
        down = SendError("retryable", "502 bad gateway")
        tg = fake("telegram", down, down, down)
        b = bench(store, tg, retry=RETRY)
        cid = await b.person("telegram:1")
        mid = await b.message(cid, "telegram:1", "Chào")
        waits = []
        for attempt in (1, 2):
            before = b.time()
            again = await b.sender.deliver(mid)
            assert again is not None
            waits.append((again - before).total_seconds())
            row = await b.row(mid)
            assert (row.status, row.attempts, row.not_before) == ("queued", attempt, again)
            # not due yet: the run does nothing and says when
            assert await b.sender.deliver(mid) == again and len(tg.calls) == attempt
            b.time.to(again)
        assert waits == [RETRY.delay(1, 0.5), RETRY.delay(2, 0.5)] == [1.5, 3.0]
        assert await b.sender.deliver(mid) is None
        row = await b.row(mid)
        assert (row.status, row.error_kind, row.attempts) == ("failed", "retryable", 3)
        assert len(tg.calls) == 3

    async def test_throttled_pauses_the_whole_adapter_and_is_not_an_attempt(
        self, store: Store
    ) -> None:
        slow = SendError("throttled", "429", retry_after=30)
        tg = fake("telegram", slow, SendResult(external_id="ok"))
        b = bench(store, tg, retry=RETRY)
        a, other = await b.person("telegram:1"), await b.person("telegram:2")
        mid = await b.message(a, "telegram:1", "một")
        again = await b.sender.deliver(mid)
        assert again == b.time() + timedelta(seconds=30)
        row = await b.row(mid)
        assert (row.status, row.attempts, row.meta["throttles"]) == ("queued", 0, 1)
        # the pause is the adapter's, not the message's: another person waits too
        assert await b.limiter.try_acquire("telegram:all", Rate(30, 30)) == pytest.approx(30)
        second = await b.message(other, "telegram:2", "hai")
        assert await b.sender.deliver(second) is not None
        assert len(tg.calls) == 1
        b.time.to(again)
        assert await b.sender.deliver(mid) is None
        row = await b.row(mid)
        assert (row.status, row.attempts, row.external_id) == ("sent", 1, "ok")

    async def test_throttled_gives_up_after_max_throttled(self, store: Store) -> None:
        slow = SendError("throttled", "429")  # no retry-after: the adapter's backoff
        tg = fake("telegram", slow, slow, slow)
        b = bench(store, tg, retry=RETRY)
        cid = await b.person("telegram:1")
        mid = await b.message(cid, "telegram:1", "x")
        first = await b.sender.deliver(mid)
        assert first == b.time() + timedelta(seconds=1)  # a short pause first
        b.time.to(first)
        second = await b.sender.deliver(mid)
        assert second == b.time() + timedelta(seconds=2)  # throttled again after it: doubled
        await b.deliver_until_done(mid)
        row = await b.row(mid)
        assert (row.status, row.error_kind, row.attempts) == ("failed", "throttled", 1)
        assert len(tg.calls) == RETRY.max_throttled + 1

    async def test_stopped_marks_the_contact_stopped(self, store: Store) -> None:
        tg = fake("telegram", SendError("stopped", "bot was blocked by the user"))
        b = bench(store, tg)
        cid = await b.person("telegram:1")
        mid = await b.message(None, "telegram:1", "x")  # no contact on the row: found by URN
        assert await b.sender.deliver(mid) is None
        row = await b.row(mid)
        assert (row.status, row.error_kind) == ("failed", "stopped")
        async with store.read() as tx:
            contact = await tx.contacts.get(cid)
        assert contact is not None and contact.stopped

    async def test_permanent_fails_at_once(self, store: Store) -> None:
        tg = fake("telegram", SendError("permanent", "chat not found", code="400"))
        b = bench(store, tg)
        mid = await b.message(None, "telegram:1", "x")
        assert await b.sender.deliver(mid) is None
        row = await b.row(mid)
        assert (row.status, row.error_kind, row.error_code, row.attempts) == (
            "failed", "permanent", "400", 1,
        )  # fmt: skip
        assert len(tg.calls) == 1

    async def test_unknown_is_recorded_and_never_retried(self, store: Store) -> None:
        tg = fake("telegram", SendError("unknown", "read timeout", code="timeout"))
        b = bench(store, tg)
        mid = await b.message(None, "telegram:1", "x")
        assert await b.sender.deliver(mid) is None
        row = await b.row(mid)
        assert (row.status, row.error_kind, row.error_code) == ("unknown", "unknown", "timeout")
        b.time.advance(3600)
        assert await b.sender.deliver(mid) is None
        assert len(tg.calls) == 1  # the person may have it: never a second time

    async def test_unknown_is_retried_where_sends_are_idempotent(self, store: Store) -> None:
        sms = fake("android_sms", SendError("unknown", "read timeout"), idempotent=True)
        b = bench(store, sms)
        mid = await b.message(None, "tel:+84912345678", "x", segments=1)
        again = await b.sender.deliver(mid)
        assert again is not None and (await b.row(mid)).status == "queued"
        b.time.to(again)
        assert await b.sender.deliver(mid) is None
        assert (await b.row(mid)).status == "sent"
        # both tries carried our id: the gateway refuses the second if the first arrived
        assert [c.meta["outbound_id"] for c in sms.calls] == [mid, mid]

    async def test_an_unexpected_exception_is_retryable_and_its_message_never_logged(
        self, store: Store, caplog: pytest.LogCaptureFixture
    ) -> None:
        secret = "https://api.telegram.org/bot123456:SECRET-TOKEN/sendMessage"
        tg = fake("telegram", *(RuntimeError(f"cannot reach {secret}") for _ in range(3)))
        b = bench(store, tg, retry=RETRY)
        mid = await b.message(None, "telegram:1", "x")
        with caplog.at_level(logging.DEBUG):
            first = await b.sender.deliver(mid)
            assert first is not None and (await b.row(mid)).status == "queued"
            await b.deliver_until_done(mid)
        row = await b.row(mid)
        assert (row.status, row.error_kind, row.attempts) == ("failed", "retryable", 3)
        assert "RuntimeError" in caplog.text  # what happened is logged...
        for record in caplog.records:  # ...never what it said
            assert "SECRET-TOKEN" not in record.getMessage()
            assert "SECRET-TOKEN" not in (record.exc_text or "")
            assert record.exc_info is None or "SECRET-TOKEN" not in str(record.exc_info[1])


class TestZaloWindow:
    async def test_closed_window_sends_the_same_words_another_way(self, store: Store) -> None:
        closed = SendError("permanent", "has not interacted", code=WINDOW_CLOSED)
        zalo, tg = fake("zalo", closed), fake("telegram", SendResult(external_id="tg-1"))
        b = bench(store, zalo, tg)
        cid = await b.person("zalo:9", "telegram:9")
        mid = await b.message(cid, "zalo:9", "Đơn của bác đã được duyệt", buttons=[("Xem", "v")])
        zalo.unreachable["zalo:9"] = WINDOW_CLOSED  # it closed while the message waited
        again = await b.sender.deliver(mid)
        assert again is not None  # the same item runs again, now for Telegram
        row = await b.row(mid)
        assert (row.status, row.adapter, row.urn, row.attempts) == (
            "queued", "telegram", "telegram:9", 0,
        )  # fmt: skip
        assert row.meta["rerouted_because"] == WINDOW_CLOSED and row.meta["tried"] == ["zalo"]
        assert await b.sender.deliver(mid) is None
        row = await b.row(mid)
        assert (row.status, row.external_id) == ("sent", "tg-1")
        assert [(m.text, m.buttons) for m in tg.sent] == [
            (m.text, m.buttons) for m in zalo.calls
        ]  # the same words and buttons
        assert tg.sent[0].text == "Đơn của bác đã được duyệt"

    async def test_closed_window_and_no_other_way_fails(self, store: Store) -> None:
        closed = SendError("permanent", "has not interacted", code=WINDOW_CLOSED)
        zalo, tg = fake("zalo", closed), fake("telegram")
        b = bench(store, zalo, tg)
        cid = await b.person("zalo:9")
        mid = await b.message(cid, "zalo:9", "x")
        assert await b.sender.deliver(mid) is None
        row = await b.row(mid)
        assert (row.status, row.error_kind, row.error_code) == (
            "failed", "permanent", WINDOW_CLOSED,
        )  # fmt: skip
        assert tg.calls == []

    async def test_a_bulk_notice_moves_to_the_next_adapters_pump(self, store: Store) -> None:
        closed = SendError("permanent", "has not interacted", code=WINDOW_CLOSED)
        zalo, tg = fake("zalo", closed), fake("telegram")
        b = bench(store, zalo, tg)
        cid = await b.person("zalo:9", "telegram:9")
        mid = await b.message(cid, "zalo:9", "Họp bản tối nay", lane="bulk")
        await b.sender.pump("zalo")
        row = await b.row(mid)
        assert (row.status, row.adapter, row.priority) == ("queued", "telegram", "bulk")
        assert await b.sender.pump("telegram") is None
        assert (await b.row(mid)).status == "sent"
        assert [m.text for m in tg.sent] == ["Họp bản tối nay"]


class TestTaking:
    async def test_a_sending_row_waits_until_stale_then_goes_again(
        self, store: Store, caplog: pytest.LogCaptureFixture
    ) -> None:
        tg = fake("telegram")
        b = bench(store, tg)
        mid = await b.message(None, "telegram:1", "x")
        async with store.transaction() as tx:  # another sender took it and is sending
            assert await tx.outbound.start_sending(mid, stale_before=b.time() - STALE_SENDING)
        assert await b.sender.deliver(mid) is None
        assert tg.calls == [] and (await b.row(mid)).status == "sending"
        b.time.advance(STALE_SENDING.total_seconds() - 5)
        assert await b.sender.deliver(mid) is None and tg.calls == []
        b.time.advance(10)  # its sender died: the only way a message goes out twice
        with caplog.at_level(logging.WARNING):
            assert await b.sender.deliver(mid) is None
        row = await b.row(mid)
        assert (row.status, row.attempts, len(tg.calls)) == ("sent", 2, 1)
        assert "resending after its sender died" in caplog.text

    async def test_two_senders_racing_for_one_row_send_it_once(self, store: Store) -> None:
        tg = fake("telegram")
        b = bench(store, tg)
        mids = [await b.message(None, f"telegram:{n}", str(n)) for n in range(6)]
        await asyncio.gather(*(b.sender.deliver(m) for m in mids + mids))
        assert sorted(m.text for m in tg.sent) == [str(n) for n in range(6)]


class TestOrder:
    async def test_a_turns_replies_leave_in_order_without_waiting(self, store: Store) -> None:
        tg = fake("telegram")
        b = bench(store, tg)
        cid = await b.person("telegram:1")
        ids = [await b.message(cid, "telegram:1", t) for t in ("một", "hai", "ba")]
        # the first item sends all three: no queue round trip, no limiter wait between them
        assert await b.sender.deliver(ids[0]) is None
        assert [m.text for m in tg.sent] == ["một", "hai", "ba"]
        assert b.time.slept == []
        for mid in ids[1:]:  # their own items find nothing left to do
            assert await b.sender.deliver(mid) is None
        assert len(tg.calls) == 3

    async def test_three_workers_keep_one_persons_order(self, store: Store) -> None:
        tg = fake("telegram")
        tg.delay = 0.005  # sends take time: the workers overlap
        b = bench(store, tg)
        people = [await b.person(f"telegram:{n}") for n in range(3)]
        ids = [
            await b.message(c, f"telegram:{n}", f"{n}-{k}")
            for k in range(3)
            for n, c in enumerate(people)
        ]
        queue = LocalQueue(lambda w: b.sender.deliver(w.id), workers={"reply": 3}, clock=b.time)
        try:
            await queue.enqueue([Work("send", i) for i in ids])
            await queue.drain(10)
        finally:
            await queue.aclose(1)
        sent = [m.text for m in tg.sent]
        assert Counter(sent) == Counter(f"{n}-{k}" for n in range(3) for k in range(3))
        for n in range(3):
            assert [t for t in sent if t.startswith(f"{n}-")] == [f"{n}-{k}" for k in range(3)]


class TestBulk:
    async def test_stop_wins_over_a_notice_already_queued(self, store: Store) -> None:
        tg = fake("telegram")
        b = bench(store, tg)
        cid, other = await b.person("telegram:1"), await b.person("telegram:2")
        skipped = [await b.message(cid, "telegram:1", f"tin {n}", lane="bulk") for n in (1, 2)]
        sent = await b.message(other, "telegram:2", "tin 3", lane="bulk")
        async with store.transaction() as tx:
            await tx.contacts.set_stopped(cid, True)  # STOP arrived after the notices
        assert await b.sender.pump("telegram") is None
        for mid in skipped:
            row = await b.row(mid)
            assert (row.status, row.error_code) == ("skipped", "stopped")
        assert (await b.row(sent)).status == "sent"
        assert [m.text for m in tg.calls] == ["tin 3"]
        async with store.read() as tx:
            assert await tx.outbound.bulk_waiting(now=b.time()) == {}  # nothing left open

    async def test_pump_claims_in_id_order_and_respects_not_before(self, store: Store) -> None:
        tg = fake("telegram")
        b = bench(store, tg, batch=2)
        later = b.time() + timedelta(hours=1)
        ids = [
            await b.message(
                None, f"telegram:{n}", f"tin {n}", lane="bulk", not_before=later if n == 1 else None
            )
            for n in (0, 1, 2, 3, 4)
        ]
        assert await b.sender.pump("telegram") == later  # when the waiting one is due
        # claimed in id order, two at a time; the two of a batch are in flight together
        texts = [m.text for m in tg.sent]
        assert [sorted(texts[:2]), sorted(texts[2:])] == [["tin 0", "tin 2"], ["tin 3", "tin 4"]]
        assert (await b.row(ids[1])).status == "queued"
        b.time.to(later)
        assert await b.sender.pump("telegram") is None
        assert [m.text for m in tg.sent][-1] == "tin 1"

    async def test_pump_of_an_adapter_not_enabled_does_nothing(self, store: Store) -> None:
        b = bench(store, fake("telegram"))
        mid = await b.message(None, "zalo:1", "x", lane="bulk")
        assert await b.sender.pump("zalo") is None
        assert (await b.row(mid)).status == "queued"

    async def test_pump_sends_at_the_adapters_rate(self, store: Store) -> None:
        """Android: 1 SMS a minute, burst 10; bulk keeps one unit for replies (9 at once)."""
        sms = fake("android_sms")
        b = bench(store, sms)
        for n in range(12):
            await b.message(None, f"tel:+8491234{n:04d}", f"tin {n}", lane="bulk", segments=1)
        start, runs = b.time(), 0
        while (again := await b.sender.pump("android_sms")) is not None:
            b.time.to(again)  # the pump gave its rows back until due: the queue runs it then
            runs += 1
        assert [m.text for m in sms.sent] == [f"tin {n}" for n in range(12)]
        assert (b.time() - start).total_seconds() == pytest.approx(3 * 60, abs=1)
        assert runs >= 1

    async def test_two_pumps_on_a_slow_channel_never_send_twice(self, store: Store) -> None:
        """A pump holding rows while it waits for a slow channel must not let them go stale:
        the other pump (``BANBOT_BULK_PUMPS=2``, woken every few seconds by the sweeper)
        would take them again and the residents would get the notice twice."""
        sms = fake("android_sms")
        b = bench(store, sms, sleep=lambda s: sleep_while_the_other_pumps(s))
        # a second pump (another worker of the same bot): the same time and send budget
        other = bench(store, sms, time=b.time, limiter=b.limiter)
        for n in range(14):
            await b.message(None, f"tel:+8491234{n:04d}", f"tin {n}", lane="bulk", segments=1)

        async def sleep_while_the_other_pumps(seconds: float) -> None:
            await b.time.sleep(seconds)
            await other.sender.pump("android_sms")

        for _ in range(50):
            again = await b.sender.pump("android_sms")
            if len(sms.calls) >= 14 and again is None:
                break
            b.time.to(again or b.time())
        twice = {t: n for t, n in Counter(m.text for m in sms.calls).items() if n > 1}
        assert twice == {}
        assert len(sms.calls) == 14

    async def test_a_pump_with_slow_sends_gives_back_rows_before_they_look_stale(
        self, store: Store
    ) -> None:
        """A provider taking 40 s a call (a phone gateway on a bad link): after the hold
        (half the stale time) the pump gives back what it has not sent, unsent and uncounted,
        so no other pump can take those rows for a dead sender's."""
        tg = fake("telegram")
        b = bench(store, tg, in_flight=1)  # one call at a time: the third would start late
        sent = tg.send

        async def slow(message: Outbound) -> SendResult:
            b.time.advance(40)
            return await sent(message)

        tg.send = slow  # type: ignore[method-assign]
        ids = [await b.message(None, f"telegram:{n}", f"tin {n}", lane="bulk") for n in range(5)]
        assert await b.sender.pump("telegram") == b.time()  # budget spent: run me again
        rows = [await b.row(i) for i in ids]
        assert [(r.status, r.attempts) for r in rows] == [("sent", 1)] * 2 + [("queued", 0)] * 3
        while await b.sender.pump("telegram") is not None:  # the queue runs it again
            pass
        assert [m.text for m in tg.calls] == [f"tin {n}" for n in range(5)]  # each once

    async def test_a_pump_keeps_calls_in_flight_and_each_persons_parts_in_order(
        self, store: Store
    ) -> None:
        """Six people, a notice in two parts each, four calls in flight: several calls wait
        on the provider at once (never more than four), and one person's second part never
        starts before the first is answered."""
        tg = fake("telegram")
        b = bench(store, tg, in_flight=4)
        sent = tg.send
        busy: set[str] = set()
        most = 0

        async def slow(message: Outbound) -> SendResult:
            nonlocal most
            assert message.address not in busy, "two parts of one person in flight together"
            busy.add(message.address)
            most = max(most, len(busy))
            await asyncio.sleep(0.02)  # the provider's latency
            busy.discard(message.address)
            return await sent(message)

        tg.send = slow  # type: ignore[method-assign]
        for part in (1, 2):
            for n in range(6):
                await b.message(None, f"telegram:{n}", f"{n}/{part}", lane="bulk")
        assert await b.sender.pump("telegram") is None
        texts = [m.text for m in tg.calls]
        assert sorted(texts) == sorted(f"{n}/{p}" for n in range(6) for p in (1, 2))
        for n in range(6):
            assert texts.index(f"{n}/1") < texts.index(f"{n}/2")
        assert 2 <= most <= 4

    async def test_a_row_taken_from_a_dead_sender_is_maybe_twice_only_if_it_was_in_flight(
        self, store: Store
    ) -> None:
        """Claimed but not yet handed to the provider: surely not sent, taken again plainly.
        In flight when the sender died: it may have gone, and the retake says so."""
        tg = fake("telegram")
        b = bench(store, tg)
        flying = await b.message(None, "telegram:1", "tin 1", lane="bulk")
        claimed = await b.message(None, "telegram:2", "tin 2", lane="bulk")
        now = b.time()
        async with store.transaction() as tx:
            got = await tx.outbound.claim_bulk("telegram", limit=2, now=now, stale_before=now)
            await tx.outbound.mark_in_flight(flying)  # the call for "tin 1" started, then: crash
        assert [r.id for r in got] == [flying, claimed]
        assert all(r.status == "sending" for r in got)
        async with store.transaction() as tx:  # too early: the dead sender's rows look alive
            assert await tx.outbound.claim_bulk("telegram", limit=2, now=now,
                                                stale_before=now) == []  # fmt: skip
        later = now + timedelta(minutes=10)
        async with store.transaction() as tx:
            again = await tx.outbound.claim_bulk(
                "telegram", limit=2, now=later, stale_before=later - timedelta(minutes=2)
            )
        assert {r.id: (r.attempts, r.maybe_twice) for r in again} == {
            flying: (2, True),
            claimed: (2, False),
        }
        assert (await b.row(flying)).maybe_twice  # stays, whatever happens next


class Outage(FakeAdapter):
    """A provider that answers ``error`` to everything until ``until`` (the fake time)."""

    def __init__(self, name: str, time: FakeTime, until: datetime, error: SendError) -> None:
        super().__init__(name)
        self._time, self._until, self._error = time, until, error

    async def send(self, message: Outbound) -> SendResult:
        if self._time() < self._until:
            self.calls.append(message)
            raise self._error
        return await super().send(message)


class TestAMinuteDown:
    """A provider down for a minute (5xx) or throttling for a minute (429): with the default
    retry policy every message still goes, late, once."""

    @pytest.mark.parametrize(
        "error",
        [SendError("retryable", "HTTP 503"), SendError("throttled", "HTTP 429")],
        ids=["5xx", "429"],
    )
    async def test_replies_wait_it_out_and_go_once(self, store: Store, error: SendError) -> None:
        time = FakeTime()
        down = Outage("telegram", time, time() + timedelta(minutes=1), error)
        b = bench(store, down, time=time)  # the default RetryPolicy
        ids = []
        for n in range(3):
            cid = await b.person(f"telegram:{n}")
            ids.append(await b.message(cid, f"telegram:{n}", f"trả lời {n}"))
        for mid in ids:
            await b.deliver_until_done(mid)
        rows = [await b.row(mid) for mid in ids]
        assert [r.status for r in rows] == ["sent"] * 3
        assert len(down.sent) == 3 and b.time() >= down._until  # sent after it came back
        assert len(down.calls) > 3  # tried while it was down, and none was given up
