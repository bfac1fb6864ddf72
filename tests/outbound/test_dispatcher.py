"""The dispatcher: error vocabulary, retries, priorities, order, limits, drain."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.channels.base import SendError, SendResult
from bot.domain.messages import Outbound
from bot.outbound.dispatcher import Dispatcher
from bot.outbound.limiter import MemoryRateLimiter
from bot.outbound.retry import RetryPolicy
from bot.store import OutboundRecord, Store
from tests.channels.fakes import FakeAdapter, FakeClock

ADDR = "fake:100"


def make(store: Store, adapter: FakeAdapter, clock: FakeClock, **kw: Any) -> Dispatcher:
    return Dispatcher(
        {adapter.name: adapter}, store, MemoryRateLimiter(clock=clock),
        sleep=clock.sleep, clock=clock, rand=lambda: 0.0, **kw,
    )  # fmt: skip


async def row(store: Store, mid: int) -> OutboundRecord:
    async with store.transaction() as tx:
        rec = await tx.outbound.get(mid)
    assert rec is not None
    return rec


async def contact(store: Store, urn: str = ADDR) -> int:
    async with store.transaction() as tx:
        return (await tx.contacts.get_or_create(urn, "fake", "vi")).id


def msg(text: str = "Chào bà con", address: str = ADDR, name: str = "fake") -> Outbound:
    return Outbound(name, address, text)


async def test_success_is_recorded_with_the_provider_id(store: Store) -> None:
    fake, clock = FakeAdapter(script=[SendResult("ext-9", segments=2)]), FakeClock()
    d = make(store, fake, clock)
    mid = await d.submit("fake", msg(), contact_id=await contact(store))
    assert (await row(store, mid)).status in ("queued", "sent")
    await d.aclose()
    rec = await row(store, mid)
    assert (rec.status, rec.external_id, rec.segments, rec.attempts) == ("sent", "ext-9", 2, 1)
    assert fake.sent == [msg()]


async def test_retryable_backs_off_exponentially_then_succeeds(store: Store) -> None:
    fake = FakeAdapter(script=[SendError("retryable", "502"), SendError("retryable", "503")])
    clock = FakeClock()
    d = make(store, fake, clock, retry=RetryPolicy(base_delay=1.0))
    mid = await d.submit("fake", msg())
    await d.aclose()
    assert (await row(store, mid)).attempts == 3
    assert clock.slept == [0.5, 1.0]  # equal jitter with rand=0: half of 1 s, half of 2 s
    assert len(fake.sent) == 1


async def test_retryable_gives_up_after_max_attempts(store: Store) -> None:
    fake = FakeAdapter(script=[SendError("retryable", "down", code="500")] * 10)
    d = make(store, fake, FakeClock(), retry=RetryPolicy(max_attempts=4))
    mid = await d.submit("fake", msg())
    await d.aclose()
    rec = await row(store, mid)
    assert (rec.status, rec.error_kind, rec.error_code, rec.attempts) == (
        "failed", "retryable", "500", 4,
    )  # fmt: skip
    assert len(fake.calls) == 4 and fake.sent == []


async def test_throttled_pauses_the_channel_for_retry_after(store: Store) -> None:
    fake = FakeAdapter(script=[SendError("throttled", "429", retry_after=7)])
    clock = FakeClock()
    d = make(store, fake, clock)
    first = await d.submit("fake", msg())
    second = await d.submit("fake", msg("thứ hai", "fake:200"))
    await d.aclose()
    assert clock.now >= 7
    assert (await row(store, first)).attempts == 1  # a throttle is not a failed attempt
    assert {(await row(store, m)).status for m in (first, second)} == {"sent"}


async def test_throttled_forever_ends_failed(store: Store) -> None:
    fake = FakeAdapter(script=[SendError("throttled", "429", retry_after=1)] * 20)
    d = make(store, fake, FakeClock(), retry=RetryPolicy(max_throttled=3))
    mid = await d.submit("fake", msg())
    await d.aclose()
    assert ((await row(store, mid)).status, len(fake.calls)) == ("failed", 4)


async def test_stopped_marks_the_contact_and_never_retries(store: Store) -> None:
    cid = await contact(store)
    fake = FakeAdapter(script=[SendError("stopped", "blocked", code="403")])
    d = make(store, fake, FakeClock())
    mid = await d.submit("fake", msg())  # no contact id given: found by URN
    await d.aclose()
    rec = await row(store, mid)
    assert (rec.status, rec.error_kind, len(fake.calls)) == ("failed", "stopped", 1)
    async with store.transaction() as tx:
        found = await tx.contacts.get(cid)
    assert found is not None and found.stopped


async def test_permanent_is_recorded_once(store: Store) -> None:
    fake = FakeAdapter(script=[SendError("permanent", "bad number", code="21211")])
    d = make(store, fake, FakeClock())
    mid = await d.submit("fake", msg())
    await d.aclose()
    rec = await row(store, mid)
    assert (rec.status, rec.error_kind, rec.error_code, len(fake.calls)) == (
        "failed", "permanent", "21211", 1,
    )  # fmt: skip


async def test_unexpected_exception_is_retried_and_its_text_not_logged(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    leak = RuntimeError("GET https://api.telegram.org/bot123:TOKEN-XYZ/sendMessage failed")
    fake = FakeAdapter(script=[leak])
    d = make(store, fake, FakeClock())
    with caplog.at_level(logging.DEBUG):
        mid = await d.submit("fake", msg())
        await d.aclose()
    assert (await row(store, mid)).status == "sent"
    assert "RuntimeError" in caplog.text and "TOKEN-XYZ" not in caplog.text


async def test_replies_go_before_bulk_notices(store: Store) -> None:
    fake = FakeAdapter()
    fake.gate = asyncio.Event()
    d = make(store, fake, FakeClock(), workers_per_channel=1)
    await d.submit("fake", msg("bulk 1", "fake:1"), priority="bulk")
    await asyncio.sleep(0.01)  # the one worker takes bulk 1 and waits at the gate
    for n in (2, 3):
        await d.submit("fake", msg(f"bulk {n}", f"fake:{n}"), priority="bulk")
    await d.submit("fake", msg("reply", "fake:9"))
    fake.gate.set()
    await d.aclose()
    assert [m.text for m in fake.sent] == ["bulk 1", "reply", "bulk 2", "bulk 3"]


async def test_one_address_keeps_its_order_with_many_workers(store: Store) -> None:
    fake = FakeAdapter()
    fake.delay = 0.002
    d = make(store, fake, FakeClock(), workers_per_channel=4)
    texts = [f"part {n}" for n in range(8)]
    for t in texts:
        await d.submit("fake", msg(t))
        await d.submit("fake", msg(t, "fake:other"))
    await d.aclose()
    assert [m.text for m in fake.sent if m.address == ADDR] == texts
    assert [m.text for m in fake.sent if m.address == "fake:other"] == texts


async def test_telegram_limits_one_message_a_second_per_chat_after_a_burst(store: Store) -> None:
    fake, clock = FakeAdapter("telegram"), FakeClock()
    times: list[float] = []
    original = fake.send

    async def timed(m: Outbound) -> SendResult:
        times.append(clock.now)
        return await original(m)

    fake.send = timed  # type: ignore[method-assign]
    d = make(store, fake, clock)
    for n in range(5):
        await d.submit("telegram", msg(f"m{n}", "telegram:5", "telegram"))
    await d.aclose()
    assert times == pytest.approx([0, 0, 0, 1, 2])


async def test_sms_limits_count_segments(store: Store) -> None:
    fake, clock = FakeAdapter("twilio_sms"), FakeClock()
    d = make(store, fake, clock, workers_per_channel=1)
    long_vi = "Bà con đã đăng ký nhận tin cảnh báo thiên tai của xã. " * 2  # 2 UCS-2 segments
    a = await d.submit("twilio_sms", msg(long_vi, "tel:+84912345678", "twilio_sms"))
    await d.submit("twilio_sms", msg("ok", "tel:+84987654321", "twilio_sms"))
    await d.aclose()
    assert (await row(store, a)).segments == 2
    # 1 segment/s with a burst of 2: the third segment waits one second
    assert clock.now == pytest.approx(1.0)


async def test_close_drains_then_refuses(store: Store) -> None:
    fake = FakeAdapter()
    d = make(store, fake, FakeClock())
    await d.submit("fake", msg())
    await d.aclose()
    assert len(fake.sent) == 1
    with pytest.raises(RuntimeError, match="closed"):
        await d.submit("fake", msg())


async def test_close_gives_up_on_a_stuck_provider_and_keeps_the_row_queued(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeAdapter()
    fake.gate = asyncio.Event()  # never opened
    d = make(store, fake, FakeClock(), workers_per_channel=1)
    first = await d.submit("fake", msg())
    second = await d.submit("fake", msg("sau", "fake:2"))
    with caplog.at_level(logging.WARNING):
        await d.aclose(grace_seconds=0.05)
    assert (await row(store, first)).status == "queued"
    assert (await row(store, second)).status == "queued"
    assert "1 message(s) unsent" in caplog.text
