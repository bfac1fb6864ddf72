"""ContactSender: the one way to start a message. Rows hold everything needed to send the
message again; they reach the queue only once the caller's transaction commits.

The Telegram and Android SMS adapters are the real ones (their rendering is under test; the
Telegram HTTP is aiogram's recorded fake session); Zalo is a recording fake whose reply window
the test opens and closes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import pytest

from bot.channels.state import MemoryChannelState
from bot.config import Settings
from bot.domain.messages import Button, Reply
from bot.outbound.contact import ContactSender
from bot.outbound.limiter import MemoryRateLimiter
from bot.outbound.routes import Route, Router
from bot.outbound.sender import Sender
from bot.ports import ChannelAdapter
from bot.store.records import NotFound
from bot.store.repo import Store
from bot.store.work import Work
from integrations.android_sms.adapter import AndroidSmsAdapter
from integrations.registry import AdapterDeps
from integrations.telegram.fake import FakeSession, fake_adapter, fake_texts
from tests.channels.fakes import FakeAdapter

from .harness import fake

HINT = "Trả lời bằng số"
ASK = Reply("Có ai bị thương không?", (Button("Có", "inj:yes"), Button("Không", "inj:no")))
LONG = "Nước sông Nậm Na đang lên nhanh, các hộ ven suối di chuyển lên nhà văn hoá bản ngay. " * 2


def texts(key: str, language: str) -> str:
    return HINT if key == "sms.numbered_hint" else fake_texts(key, language)


class Boom(Exception):
    pass


@dataclass
class Parts:
    store: Store
    out: ContactSender
    adapters: dict[str, ChannelAdapter]
    telegram: FakeSession
    zalo: FakeAdapter
    work: list[tuple[Work, ...]]

    async def person(self, *urns: str, stopped: bool = False) -> int:
        async with self.store.transaction() as tx:
            c = await tx.contacts.get_or_create(urns[0], urns[0].split(":")[0], "vi")
            for urn in urns[1:]:
                await tx.contacts.add_urn(c.id, urn)
            if stopped:
                await tx.contacts.set_stopped(c.id, True)
            return c.id


@pytest.fixture
async def parts(store: Store) -> AsyncIterator[Parts]:
    settings = Settings(
        env="test",
        android_sms={"enabled": True, "username": "u", "password": "p", "signing_key": "k"},
    )  # type: ignore[arg-type]
    telegram, session = fake_adapter()
    sms = AndroidSmsAdapter(settings, AdapterDeps(MemoryChannelState(), texts))
    zalo = fake("zalo")
    adapters: dict[str, ChannelAdapter] = {"telegram": telegram, "android_sms": sms, "zalo": zalo}
    work: list[tuple[Work, ...]] = []

    async def hook(items: Sequence[Work]) -> None:
        work.append(tuple(items))

    store.on_commit(hook)
    try:
        yield Parts(store, ContactSender(adapters, Router(adapters, settings)), adapters,
                    session, zalo, work)  # fmt: skip
    finally:
        for adapter in adapters.values():
            await adapter.aclose()


class TestRows:
    async def test_a_telegram_row_can_be_sent_again_from_the_database(self, parts: Parts) -> None:
        cid = await parts.person("telegram:5001")
        async with parts.store.transaction() as tx:
            plan = await parts.out.send(tx, cid, [ASK], kind="alert")
        assert plan.route == Route("telegram", "telegram:5001", "telegram") and plan.sent
        async with parts.store.read() as tx:
            row = await tx.outbound.get(plan.message_ids[0])
        assert row is not None
        assert (row.kind, row.priority, row.status, row.rendering) == (
            "alert", "reply", "queued", "telegram",
        )  # fmt: skip
        assert row.buttons == (("Có", "inj:yes"), ("Không", "inj:no"))
        markup = {
            "inline_keyboard": [
                [{"text": "Có", "callback_data": "inj:yes"}],
                [{"text": "Không", "callback_data": "inj:no"}],
            ]
        }
        assert row.meta["reply_markup"] == markup
        # a fresh Sender, knowing nothing but the row, sends the same message
        sender = Sender(
            parts.store, parts.adapters, MemoryRateLimiter(), parts.out.router,
            settings=Settings(env="test"),
        )  # fmt: skip
        assert await sender.deliver(row.id) is None
        [sent] = parts.telegram.sent()
        assert (sent["chat_id"], sent["text"], sent["reply_markup"]) == (
            5001, "Có ai bị thương không?", markup,
        )  # fmt: skip

    async def test_a_location_request_keeps_its_keyboard(self, parts: Parts) -> None:
        cid = await parts.person("telegram:5001")
        ask = Reply("Nhà bác ở đâu?", (Button("Bỏ qua", "loc:skip"),), request="location")
        async with parts.store.transaction() as tx:
            plan = await parts.out.send(tx, cid, [ask], kind="system")
            row = await tx.outbound.get(plan.message_ids[0])
        assert row is not None and row.request == "location"
        keyboard = row.meta["reply_markup"]["keyboard"]
        assert keyboard[0][0]["request_location"] is True and keyboard[1] == [{"text": "Bỏ qua"}]

    async def test_an_sms_row_counts_its_segments_and_numbers_its_choices(
        self, parts: Parts
    ) -> None:
        cid = await parts.person("tel:+84912345678")
        async with parts.store.transaction() as tx:
            plan = await parts.out.send(tx, cid, [Reply(LONG), ASK], kind="status")
            rows = [await tx.outbound.get(i) for i in plan.message_ids]
        assert plan.route == Route("android_sms", "tel:+84912345678", "sms")
        assert rows and all(r is not None for r in rows)
        for row in rows:
            assert row is not None and row.rendering == "sms" and row.buttons == ()
            assert row.segments == row.meta["segments"] and row.meta["encoding"] == "ucs2"
        assert sum(r.segments or 0 for r in rows if r) >= 3  # 180 accented characters a time
        last = rows[-1]
        assert last is not None and last.text.endswith(f"\n1. Có\n2. Không\n{HINT}")

    async def test_unknown_contact_is_an_error(self, parts: Parts) -> None:
        async with parts.store.transaction() as tx:
            with pytest.raises(NotFound):
                await parts.out.send(tx, 999_999, [ASK], kind="alert")


class TestAfterCommit:
    async def test_queued_only_after_the_transaction_commits(self, parts: Parts) -> None:
        cid = await parts.person("telegram:5001")
        async with parts.store.transaction() as tx:
            plan = await parts.out.send(tx, cid, [ASK, Reply("Cảm ơn")], kind="officer_reply")
            assert parts.work == []  # nothing reaches the queue inside the transaction
        first, second = plan.message_ids
        assert parts.work == [
            (Work("send", first, "reply", None, "telegram"),
             Work("send", second, "reply", None, "telegram")),
        ]  # fmt: skip

    async def test_never_when_it_rolls_back(self, parts: Parts) -> None:
        cid = await parts.person("telegram:5001")
        with pytest.raises(Boom):
            async with parts.store.transaction() as tx:
                plan = await parts.out.send(tx, cid, [ASK], kind="status")
                assert plan.sent
                raise Boom
        assert parts.work == []
        async with parts.store.read() as tx:
            assert await tx.outbound.get(plan.message_ids[0]) is None  # no row either

    async def test_a_key_makes_the_send_idempotent(self, parts: Parts) -> None:
        cid = await parts.person("telegram:5001")
        plans = []
        for _ in range(2):  # a job that runs twice
            async with parts.store.transaction() as tx:
                plans.append(await parts.out.send(tx, cid, [ASK, ASK], kind="alert", key="a:7"))
        assert plans[0].message_ids == plans[1].message_ids and len(plans[0].message_ids) == 2
        assert len(parts.work) == 1  # the second run queued nothing

    async def test_bulk_notices_wake_the_adapters_pump(self, parts: Parts) -> None:
        cid = await parts.person("telegram:5001")
        async with parts.store.transaction() as tx:
            plan = await parts.out.send(tx, cid, [Reply("Họp bản")], kind="notice", lane="bulk")
        assert plan.sent and parts.work == [(Work("pump", 0, "bulk", None, "telegram"),)]


class TestNoWay:
    async def test_a_stopped_contact_gets_no_bulk_message(self, parts: Parts) -> None:
        cid = await parts.person("telegram:5001", stopped=True)
        async with parts.store.transaction() as tx:
            plan = await parts.out.send(tx, cid, [Reply("Họp bản")], kind="notice", lane="bulk")
        assert (plan.route, plan.message_ids, plan.reason, plan.sent) == (
            None, (), "stopped", False,
        )  # fmt: skip
        assert parts.work == []

    async def test_an_unreachable_contact_gets_a_plan_with_the_reason(self, parts: Parts) -> None:
        cid = await parts.person("zalo:9")
        parts.zalo.unreachable["zalo:9"] = "zalo_window_closed"
        async with parts.store.transaction() as tx:
            plan = await parts.out.send(tx, cid, [ASK], kind="status")
        assert plan.route is None and not plan.sent
        assert plan.reason == "zalo_window_closed"
        assert plan.passed == (("zalo", "zalo_window_closed"),)
        assert parts.work == []

    async def test_the_caller_learns_why_a_zalo_resident_got_an_sms(self, parts: Parts) -> None:
        cid = await parts.person("zalo:9", "tel:+84912345678")
        parts.zalo.unreachable["zalo:9"] = "zalo_window_closed"
        async with parts.store.transaction() as tx:
            plan = await parts.out.send(tx, cid, [Reply("Đơn đã duyệt")], kind="status")
        assert plan.route == Route("android_sms", "tel:+84912345678", "sms") and plan.sent
        assert plan.reason == "zalo_window_closed"


class TestRecord:
    async def test_direct_replies_are_recorded_as_rendered(self, parts: Parts) -> None:
        route = Route("telegram", "telegram:5001", "telegram")
        rendered = parts.adapters["telegram"].render(route.urn, [ASK], "vi")
        async with parts.store.transaction() as tx:
            ids = await parts.out.record(tx, route, rendered, contact_id=None)
            rows = [await tx.outbound.get(i) for i in ids]
        assert [(r.kind, r.text, r.meta) for r in rows if r] == [
            ("reply", m.text, m.meta) for m in rendered
        ]
