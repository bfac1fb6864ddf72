"""One contract over both queues: the in-process runner (``banbot serve``) and saq on a real
Redis (``banbot worker``). A bot process is killed with SIGKILL in the middle of a batch and
started again: every message ends sent, none is lost, and a message reaches a person twice only
if it was in flight when the process died."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.store.models import OutboundMessage
from bot.store.repo import Store
from tests.jobs.conftest import bot_env, bot_process, seed, unique_queue
from tests.support.fake_providers import FakeTelegram

RESIDENTS = 60  # per lane
TOTAL = 2 * RESIDENTS


async def statuses(store: Store) -> Counter[str]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(
            select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
        )
        return Counter({status: n for status, n in rows})


async def maybe_twice(store: Store) -> set[str]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(select(OutboundMessage.text).where(OutboundMessage.maybe_twice))
        return {text for (text,) in rows}


async def in_flight(store: Store) -> set[str]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(
            select(OutboundMessage.text).where(OutboundMessage.status == "sending")
        )
        return {text for (text,) in rows}


@pytest.mark.parametrize("kind", ["local", "saq"])
async def test_sigkill_mid_batch_loses_nothing(
    kind: str, tmp_path: Path, telegram: FakeTelegram, request: pytest.FixtureRequest
) -> None:
    """Half the messages in the reply lane (one queue item each), half in the bulk lane (the
    adapter's pumps): both are cut by the kill."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    extra = {}
    if kind == "saq":
        redis_url: str = request.getfixturevalue("redis_url")
        extra = {"BANBOT_REDIS_URL": redis_url, "BANBOT_QUEUE_NAME": unique_queue()}
    await seed(db_url, telegram, RESIDENTS, "reply")
    await seed(db_url, telegram, RESIDENTS, "bulk", first=RESIDENTS)
    telegram.delay = 0.05  # sends take time, so some are in flight at the kill
    env = bot_env(db_url, telegram, **extra)
    log = tmp_path / "bot.log"
    store = Store(db_url)
    first = bot_process(kind, env, log).start()
    try:
        deadline = time.monotonic() + 60
        while len(telegram.calls) < TOTAL // 3:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            await asyncio.sleep(0.02)
        first.kill()
        flying = await in_flight(store)
        killed_at = len(telegram.calls)
        assert killed_at < TOTAL, "the batch finished before the kill; nothing was tested"
        second = bot_process(kind, env, log).start()
        try:
            deadline = time.monotonic() + 90
            while (await statuses(store)).get("sent", 0) < TOTAL:
                assert time.monotonic() < deadline, (await statuses(store), log.read_text()[-3000:])
                await asyncio.sleep(0.2)
        finally:
            second.stop()
        flagged = await maybe_twice(store)
    finally:
        first.stop()
        await store.close()
    assert await statuses(store) == Counter({"sent": TOTAL})  # none failed, none lost
    received = Counter(telegram.texts())
    assert set(received) == {f"tin {n}" for n in range(TOTAL)}  # everyone got theirs
    twice = {text for text, n in received.items() if n > 1}
    assert twice <= flying, (twice, flying)  # twice only if in flight at the kill
    assert twice <= flagged <= flying, (twice, flagged)  # and the store knows which
