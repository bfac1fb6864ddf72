"""The Sender's metric hooks: sends by outcome, SMS segments, how long an alert took to go."""

from __future__ import annotations

from prometheus_client import REGISTRY

from bot.channels.base import SendError, SendResult
from bot.store.repo import Store

from .harness import bench, fake


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_sent_sms_counts_its_segments(store: Store) -> None:
    sms = fake("android_sms", SendResult(external_id="gw-1", segments=3))
    b = bench(store, sms)
    sent = value("banbot_sends_total", adapter="android_sms", outcome="sent")
    segments = value("banbot_sms_segments_total", adapter="android_sms")
    cid = await b.person("tel:+84912345678")
    mid = await b.message(cid, "tel:+84912345678", "Lũ về, lên đồi ngay", segments=1)
    assert await b.sender.deliver(mid) is None
    assert value("banbot_sends_total", adapter="android_sms", outcome="sent") == sent + 1
    assert value("banbot_sms_segments_total", adapter="android_sms") == segments + 3


async def test_failed_attempts_count_by_error_kind(store: Store) -> None:
    tg = fake("telegram", SendError("permanent", "chat not found", code="400"))
    b = bench(store, tg)
    permanent = value("banbot_sends_total", adapter="telegram", outcome="permanent")
    sent = value("banbot_sends_total", adapter="telegram", outcome="sent")
    assert await b.sender.deliver(await b.message(None, "telegram:1", "x")) is None
    assert value("banbot_sends_total", adapter="telegram", outcome="permanent") == permanent + 1
    assert value("banbot_sends_total", adapter="telegram", outcome="sent") == sent


async def test_an_alert_observes_its_delay_from_written_to_sent(store: Store) -> None:
    tg = fake("telegram", SendResult(external_id="t-1"))
    b = bench(store, tg)
    count = value("banbot_alert_latency_seconds_count", stage="sent")
    total = value("banbot_alert_latency_seconds_sum", stage="sent")
    cid = await b.person("telegram:9")
    async with store.transaction() as tx:
        mid = await tx.outbound.create(
            contact_id=cid, adapter="telegram", urn="telegram:9", text="Cảnh báo",
            rendering="telegram", kind="alert",
        )  # fmt: skip
    b.time.advance(7)  # the fake clock: the alert leaves 7 s after it was written
    assert await b.sender.deliver(mid) is None
    assert value("banbot_alert_latency_seconds_count", stage="sent") == count + 1
    assert 6 < value("banbot_alert_latency_seconds_sum", stage="sent") - total <= 7
