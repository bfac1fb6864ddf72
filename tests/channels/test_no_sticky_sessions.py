"""No sticky sessions: one resident's messages go to two ``banbot serve`` processes in turn
(as a load balancer without affinity would send them), with one ``banbot worker``, all sharing
one Redis and one PostgreSQL database. The conversation goes on as if one process had heard
it all: each step answers the one before, the report is filed once, and each reply reaches the
resident once and in order.

Real processes on free ports, the production settings (Redis sessions, locks and dedupe, the
saq queue); Telegram is the fake provider on localhost.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import select

from bot.app import prepare_database
from bot.config import Settings
from bot.store.engine import make_engine
from bot.store.models import Report
from tests.jobs.conftest import SECRET, BotProcess, bot_env, unique_queue
from tests.support.databases import create_database, drop_database
from tests.support.fake_providers import FakeTelegram, Sent, free_port

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    url = await create_database()
    try:
        await prepare_database(Settings(_env_file=None, env="test", database_url=url))  # type: ignore[call-arg]
        yield url
    finally:
        await drop_database(url)


class Resident:
    """One Telegram user whose updates go to ``ports`` in turn; reads replies off the fake."""

    def __init__(self, telegram: FakeTelegram, ports: list[int], chat: int) -> None:
        self.telegram, self.ports, self.chat = telegram, ports, chat
        self.turn = 0
        self.update_id = 815_200_000
        self.handled_by: list[int] = []

    def replies(self) -> list[Sent]:
        return [s for s in self.telegram.snapshot() if s.recipient == str(self.chat)]

    async def post(self, content: dict[str, Any]) -> list[Sent]:
        """Send one update to the next process; its replies once they reached Telegram."""
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        self.update_id += 1
        before = len(self.replies())
        async with httpx.AsyncClient(timeout=10) as client:
            r = await client.post(
                f"http://127.0.0.1:{port}/webhooks/telegram",
                json={"update_id": self.update_id, **content},
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
        assert r.status_code == 200, r.text
        self.handled_by.append(port)
        deadline = time.monotonic() + 60  # generous: CI machines are shared
        # the answer is whole when no new part came for a while (it may be 2-3 messages, and
        # Telegram's limit of about one message a second per chat spaces them out)
        seen, quiet = before, 0
        while quiet < 30:
            assert time.monotonic() < deadline, f"no reply to {content} via :{port}"
            await asyncio.sleep(0.05)
            now = len(self.replies())
            quiet = quiet + 1 if now == seen and now > before else 0
            seen = now
        return self.replies()[before:]

    async def say(self, text: str) -> str:
        user = {"id": self.chat, "is_bot": False, "first_name": "Lò Thị", "language_code": "vi"}
        message = {"message_id": self.update_id % 10_000, "from": user, "date": 1767225600,
                   "chat": {"id": self.chat, "type": "private"}, "text": text}  # fmt: skip
        return "\n".join(s.text for s in await self.post({"message": message}))

    async def click(self, title: str) -> str:
        """Press an inline button of the bot's last message (its own callback data)."""
        last = self.replies()[-1]
        markup = last.fields.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        [data] = [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row
                  if b["text"] == title]  # fmt: skip
        user = {"id": self.chat, "is_bot": False, "first_name": "Lò Thị"}
        shown = {"message_id": int(last.message_id), "date": 1767225600, "text": last.text,
                 "chat": {"id": self.chat, "type": "private"}}  # fmt: skip
        query = {"id": f"cb{self.update_id}", "from": user, "chat_instance": "-1",
                 "data": data, "message": shown}  # fmt: skip
        return "\n".join(s.text for s in await self.post({"callback_query": query}))


async def _reports(url: str) -> list[Report]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(select(Report))).all())  # type: ignore[arg-type]
    finally:
        await engine.dispose()


async def test_one_conversation_across_two_app_processes(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    telegram = FakeTelegram().start()
    env = bot_env(
        pg_url, telegram, BANBOT_REDIS_URL=redis_url, BANBOT_QUEUE="saq",
        BANBOT_QUEUE_NAME=unique_queue(),
    )  # fmt: skip
    apps = [
        BotProcess(["serve", "--port", str(port), "--no-access-log"], env,
                   tmp_path / f"app-{port}.log", port=port)
        for port in (free_port(), free_port())
    ]  # fmt: skip
    worker = BotProcess(["worker"], env, tmp_path / "worker.log")
    chat = 700_000_000 + secrets.randbelow(99_999_999)  # its own session keys in shared Redis
    try:
        for process in (*apps, worker):
            process.start()
        lan = Resident(telegram, [a.port for a in apps if a.port], chat)
        said = await lan.say("nhà em bị ngập")  # app 1: first contact, a flood
        assert "bảo mật" in said and "nguy hiểm" in said, said
        said = await lan.click("Không")  # app 2 knows the question app 1 asked
        assert "Ở bản nào" in said, said
        said = await lan.say("bản nậm niệu")  # app 1: the place -> the report is filed
        assert "Em đã lưu phản ánh TT-" in said and "bao nhiêu người" in said, said
        said = await lan.say("5")  # app 2: the answer to app 1's question
        assert "Trong nhà có ai cần giúp đỡ đặc biệt" in said, said
        said = await lan.click("Không có ai")  # app 1 again
        assert "Nhà cửa hiện thế nào" in said, said
        reports = await _reports(pg_url)
    except AssertionError as failed:
        tails = "\n".join(f"--- {p.log.name}\n{p.log.read_text()[-2500:]}" for p in (*apps, worker))
        raise AssertionError(f"{failed}\n{tails}") from failed
    finally:
        for process in (worker, *apps):
            process.stop()
        telegram.stop()
        client = aioredis.from_url(redis_url)
        try:
            keys = [k async for k in client.scan_iter(match=f"*{chat}*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()
    assert lan.handled_by == [apps[0].port, apps[1].port] * 2 + [apps[0].port]  # no affinity
    [report] = reports  # filed once, by app 1, in the conversation app 2 had begun with it
    assert report.village_id == "03664:nam niệu"
    texts = [s.text for s in lan.replies()]
    assert len(texts) == len(set(texts))  # no reply sent twice
