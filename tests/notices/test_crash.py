"""A head's notice to 300 people on the production shape: PostgreSQL, the saq queue on a real
Redis, ``banbot worker`` processes, a fake Telegram on localhost answering after 50 ms. The
worker is killed with SIGKILL a third of the way through and a new one started.

Every message must end sent (none lost, none left open), a person may get the notice twice
only if their message was in flight at the kill, and the head's summary says how many may
have: the count the store marked ``maybe_twice``, which must cover every real duplicate.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import build_app
from bot.config import Settings
from bot.notices.scope import NoticeSender
from bot.notices.service import Draft
from bot.store.models import NoticeRow, OutboundMessage, VillageRow
from bot.store.repo import Store
from tests.jobs.conftest import SECRET, TOKEN, BotProcess, bot_env, unique_queue
from tests.support.databases import create_database, drop_database
from tests.support.fake_providers import FakeTelegram

PEOPLE = 300
HEAD_CHAT = 9_000_001
TEXT = "Họp bản lúc 8 giờ sáng thứ bảy tại nhà văn hoá, bàn việc vay vốn."


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    url = await create_database()
    try:
        yield url
    finally:
        await drop_database(url)


async def _seed(store: Store) -> tuple[str, int]:
    """300 residents of one village on Telegram following village notices, and its head."""
    async with store.read() as tx:
        village = (await tx.session.scalars(select(VillageRow.id).order_by(VillageRow.id))).first()
    assert village is not None
    async with store.transaction() as tx:
        for n in range(PEOPLE):
            c = await tx.contacts.get_or_create(f"telegram:{1000 + n}", "telegram", "vi")
            await tx.contacts.update(c.id, village_id=village, notice_seen=True)
            await tx.subscriptions.set(c.id, ["village_notices"], True)
        head = await tx.contacts.get_or_create(f"telegram:{HEAD_CHAT}", "telegram", "vi")
        await tx.contacts.update(
            head.id, role="head", role_village=village, village_id=village, notice_seen=True
        )
    return village, head.id


async def _statuses(store: Store, notice_id: int) -> Counter[str]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(
            select(OutboundMessage.status, func.count())
            .where(OutboundMessage.notice_id == notice_id)
            .group_by(OutboundMessage.status)
        )
        return Counter({status: n for status, n in rows})


async def test_sigkill_mid_broadcast_loses_nothing_and_the_summary_owns_up(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    telegram = FakeTelegram().start()
    telegram.delay = 0.05  # a provider's latency: calls are in flight at the kill
    env = bot_env(
        pg_url, telegram, BANBOT_REDIS_URL=redis_url, BANBOT_QUEUE="saq",
        BANBOT_QUEUE_NAME=unique_queue(), BANBOT_NOTICE_WATCH_SECONDS="1",
        BANBOT_TELEGRAM__SEND_PER_SECOND="200", BANBOT_TELEGRAM__SEND_BURST="50",
    )  # fmt: skip
    settings = Settings(
        _env_file=None, env="test", database_url=pg_url, redis_url=redis_url, queue="saq",
        queue_name=env["BANBOT_QUEUE_NAME"],
        telegram={"enabled": True, "token": TOKEN, "webhook_secret": SECRET,
                  "api_base": telegram.url},
    )  # type: ignore[call-arg, arg-type]  # fmt: skip
    app = await build_app(settings, nlu=False)
    log = tmp_path / "worker.log"
    workers: list[BotProcess] = []
    try:
        village, head = await _seed(app.store)
        assert app.channels is not None and app.notices is not None
        await app.channels.queue.connect()  # type: ignore[attr-defined]
        sender = NoticeSender(f"contact:{head}", "head", village_id=village, contact_id=head)
        async with app.store.transaction() as tx:  # the chat's path: plan job after commit
            notice = await app.notices.create(tx, sender, Draft("village_notices", TEXT))
        workers.append(BotProcess(["worker"], env, log).start())
        deadline = time.monotonic() + 60
        while telegram.accepted < PEOPLE // 3:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            await asyncio.sleep(0.02)
        workers[0].kill()
        assert telegram.accepted < PEOPLE, "the notice was sent before the kill: nothing tested"
        workers.append(BotProcess(["worker"], env, log).start())
        deadline = time.monotonic() + 120
        while True:  # until the summary reaches the head
            if any(s.recipient == str(HEAD_CHAT) for s in telegram.calls):
                break
            assert time.monotonic() < deadline, (
                await _statuses(app.store, notice.id),
                log.read_text()[-3000:],
            )
            await asyncio.sleep(0.2)
        statuses = await _statuses(app.store, notice.id)
        async with app.store.engine.connect() as conn:
            flagged = set(
                await conn.scalars(
                    select(OutboundMessage.urn).where(
                        OutboundMessage.notice_id == notice.id, OutboundMessage.maybe_twice
                    )
                )
            )
            status = await conn.scalar(select(NoticeRow.status).where(NoticeRow.id == notice.id))
    finally:
        for w in workers:
            w.stop()
        await app.aclose()
        telegram.stop()
    assert statuses == Counter({"sent": PEOPLE})  # none failed, none lost, none left open
    assert status == "done"
    received = Counter(s.recipient for s in telegram.calls if s.recipient != str(HEAD_CHAT))
    assert set(received) == {str(1000 + n) for n in range(PEOPLE)}  # everyone got it
    twice = {f"telegram:{who}" for who, n in received.items() if n > 1}
    assert twice <= flagged, (twice, flagged)  # a duplicate is always one the store flagged
    assert len(flagged) <= 8 * 2, flagged  # at most the calls in flight (8 per pump, 2 pumps)
    summary = [s.text for s in telegram.calls if s.recipient == str(HEAD_CHAT)]
    assert len(summary) == 1, summary
    assert f"{PEOPLE}/{PEOPLE} người nhận, 0 lỗi" in summary[0]
    if flagged:
        assert f"{len(flagged)} người có thể nhận 2 lần" in summary[0]
    else:
        assert "2 lần" not in summary[0]
