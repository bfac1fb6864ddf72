"""The webhook sink end to end: webhook in -> pipeline in the background -> adapter.send."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import App
from bot.channels.base import SendError, SendResult
from bot.domain.messages import Inbound
from bot.pipeline import Outcome
from bot.sessions.keys import session_key
from tests.channels.conftest import Rig, make_rig
from tests.channels.fakes import FakeAdapter


def text_msg(mid: str, text: str = "menu", sender: str = "7") -> dict[str, object]:
    return {"messages": [{"id": mid, "from": sender, "text": text}]}


async def test_reply_is_rendered_and_sent_through_the_adapter(rig: Rig) -> None:
    r = await rig.post(text_msg("u1"))
    assert (r.status_code, r.text) == (200, "ok")
    await rig.settle()
    direct = await rig.app.pipeline.handle(Inbound("sim", "sim:x", "z", text="menu"))
    assert [m.text for m in rig.adapter.sent][-1] == direct.replies[-1].text
    assert all(m.address == "fake:7" for m in rig.adapter.sent)
    async with rig.app.store.transaction() as tx:
        contact = await tx.contacts.by_urn("fake:7")
        assert contact is not None
        rows = [await tx.outbound.get(i) for i in range(1, len(rig.adapter.sent) + 1)]
    assert {(r.status, r.priority, r.contact_id) for r in rows if r} == {
        ("sent", "reply", contact.id)
    }


class Gate:
    """A pipeline that waits for a signal, to prove the webhook answers before processing."""

    def __init__(self, app: App) -> None:
        self.app, self.open, self.active, self.peak = app, asyncio.Event(), 0, 0

    async def handle(self, msg: Inbound) -> Outcome:
        self.active += 1
        self.peak = max(self.peak, self.active)
        await self.open.wait()
        try:
            return await self.app.pipeline.handle(msg)
        finally:
            self.active -= 1


async def test_webhook_answers_before_processing_and_concurrency_is_bounded(
    bot_app: App,
) -> None:
    gate = Gate(bot_app)
    rig = await make_rig(bot_app, FakeAdapter(), pipeline=gate, max_concurrency=2)
    for n in range(5):
        r = await rig.post(text_msg(f"b{n}", sender=str(n)))
        assert r.status_code == 200
    await asyncio.sleep(0.01)
    assert rig.adapter.calls == [] and rig.runtime.busy == 5
    assert gate.active == 2
    gate.open.set()
    await rig.settle()
    assert gate.peak == 2
    assert {m.address for m in rig.adapter.sent} == {f"fake:{n}" for n in range(5)}


async def test_replayed_delivery_is_processed_once(rig: Rig) -> None:
    for _ in range(3):
        assert (await rig.post(text_msg("same-id"))).status_code == 200
    await rig.settle()
    once = len(rig.adapter.sent)
    assert once >= 1
    assert len([m for m in rig.adapter.sent if m.text == rig.adapter.sent[-1].text]) == 1


async def test_bad_secret_processes_nothing(rig: Rig) -> None:
    assert (await rig.post(text_msg("x1"), secret="nope")).status_code == 403
    assert (await rig.post("{not json")).status_code == 400
    await rig.settle()
    assert rig.adapter.calls == []
    async with rig.app.store.transaction() as tx:
        assert await tx.contacts.by_urn("fake:7") is None


async def test_statuses_are_recorded_and_stopped_marks_the_contact(rig: Rig) -> None:
    rig.adapter.script.extend([SendResult("E1"), SendResult("E2")])
    await rig.post(text_msg("s1"))
    await rig.settle()
    await rig.post({"statuses": [{"id": "E1", "status": "delivered"}]})
    await rig.post({"statuses": [{"id": "E1", "status": "sent"}]})  # late: ignored
    await rig.post(
        {"statuses": [{"id": "E2", "status": "failed", "code": "21610", "stopped": True}]}
    )
    await rig.post({"statuses": [{"id": "unknown", "status": "delivered"}]})
    async with rig.app.store.transaction() as tx:
        e1 = await tx.outbound.by_external_id("fake", "E1")
        e2 = await tx.outbound.by_external_id("fake", "E2")
        contact = await tx.contacts.by_urn("fake:7")
    assert e1 is not None and e1.status == "delivered"
    assert e2 is not None and (e2.status, e2.error_code) == ("failed", "21610")
    assert contact is not None and contact.stopped


async def test_failed_send_keeps_the_conversation(rig: Rig) -> None:
    rig.adapter.script.extend([SendError("permanent", "bad request")] * 5)
    await rig.post(text_msg("f1"))
    await rig.settle()
    session = await rig.app.state.sessions.load(session_key("fake", "fake:7"))
    assert session is not None and session.get("notice")  # the turn was saved all the same
    async with rig.app.store.transaction() as tx:
        row = await tx.outbound.get(1)
    assert row is not None and (row.status, row.error_kind) == ("failed", "permanent")


async def test_a_failing_turn_is_logged_not_lost(
    bot_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        async def handle(self, msg: Inbound) -> Outcome:
            raise RuntimeError("boom in the pipeline")

    rig = await make_rig(bot_app, FakeAdapter(), pipeline=Broken())
    with caplog.at_level(logging.ERROR):
        assert (await rig.post(text_msg("e1"))).status_code == 200
        await rig.settle()
    assert "inbound processing failed" in caplog.text and "boom in the pipeline" in caplog.text


async def test_shutdown_drains_then_refuses(bot_app: App) -> None:
    gate = Gate(bot_app)
    rig = await make_rig(bot_app, FakeAdapter(), pipeline=gate)
    await rig.post(text_msg("d1"))
    closing = asyncio.create_task(rig.runtime.aclose(grace_seconds=5))
    await asyncio.sleep(0.01)
    gate.open.set()
    await closing
    assert rig.runtime.busy == 0
    await rig.channels.aclose()
    assert rig.adapter.sent  # the accepted message was finished and answered
    with pytest.raises(RuntimeError, match="shutting down"):
        await rig.runtime.sink(rig.adapter, rig.adapter.parse_bytes(b"{}"))


async def test_shutdown_cancels_what_outlives_the_grace(
    bot_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    rig = await make_rig(bot_app, FakeAdapter(), pipeline=Gate(bot_app))  # gate never opens
    await rig.post(text_msg("c1"))
    with caplog.at_level(logging.WARNING):
        await rig.runtime.aclose(grace_seconds=0.05)
    assert rig.runtime.busy == 0
    assert "cancelled 1 inbound message" in caplog.text


async def test_sms_adapters_get_sms_texts(bot_app: App) -> None:
    adapter = FakeAdapter("twilio_sms")
    adapter.rendering = "sms"  # type: ignore[misc]
    rig = await make_rig(bot_app, adapter)
    await rig.post({"messages": [{"id": "t1", "from": "+84912345678", "text": "menu"}]})
    await rig.settle()
    sms = await bot_app.pipeline.handle(Inbound("sim", "sim:s", "z", text="menu", rendering="sms"))
    assert adapter.sent[-1].text == sms.replies[-1].text
    assert "Gõ số" in adapter.sent[-1].text
