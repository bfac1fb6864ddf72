"""Shared pieces of the queue tests: a database of residents, a bot process to kill, and the
``store`` (SQLite and PostgreSQL) and ``limiter`` (memory and Redis) fixtures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bot.channels.compose import build_adapters
from bot.config import Settings
from bot.domain.messages import Reply
from bot.outbound.contact import ContactSender
from bot.outbound.routes import Router
from bot.store.migrate import upgrade_database
from bot.store.repo import Store
from integrations.telegram.fake import fake_texts
from tests.outbound.conftest import limiter
from tests.store.conftest import backend_url, migrated_postgres, store, store_url
from tests.support.fake_providers import FakeTelegram, free_port

# fixtures, used by name
__all__ = ["backend_url", "limiter", "migrated_postgres", "store", "store_url"]

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:queue-test-token"
SECRET = "queue_test_secret"


def bot_env(db_url: str, telegram: FakeTelegram, **extra: str) -> dict[str, str]:
    """Environment of a bot process that sends through the fake Telegram."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANBOT_")}
    env.update(
        BANBOT_ENV="test",
        BANBOT_DATABASE_URL=db_url,
        BANBOT_TELEGRAM__ENABLED="true",
        BANBOT_TELEGRAM__TOKEN=TOKEN,
        BANBOT_TELEGRAM__WEBHOOK_SECRET=SECRET,
        BANBOT_TELEGRAM__API_BASE=telegram.url,
        BANBOT_SEND_STALE_SECONDS="3",
        **extra,
    )
    return env


@dataclass
class BotProcess:
    """``banbot serve`` (local queue) or ``banbot worker`` (saq) as a child process."""

    args: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = field(default=None)
    port: int | None = None

    def start(self) -> BotProcess:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, "-m", "bot.cli", *self.args],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        if self.port is not None:
            self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).is_success:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise TimeoutError(self.log.read_text())

    def kill(self) -> None:
        """SIGKILL: no cleanup, no grace, whatever is in flight stays in flight."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def bot_process(kind: str, env: dict[str, str], log: Path) -> BotProcess:
    if kind == "local":
        port = free_port()
        args = ["serve", "--port", str(port), "--no-access-log"]
        return BotProcess(args, {**env, "BANBOT_QUEUE": "local"}, log, port=port)
    return BotProcess(["worker"], {**env, "BANBOT_QUEUE": "saq"}, log)


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram().start()
    try:
        yield fake
    finally:
        fake.stop()


async def seed(
    db_url: str, telegram: FakeTelegram, residents: int, lane: str, *, first: int = 0
) -> list[int]:
    """``residents`` contacts on Telegram (numbered from ``first``), one message each
    recorded for them in ``lane`` (not sent: no queue runs here)."""
    await upgrade_database(db_url)
    settings = Settings(
        env="test", database_url=db_url, redis_url=None,
        telegram={"enabled": True, "token": TOKEN, "webhook_secret": SECRET,
                  "api_base": telegram.url},
    )  # type: ignore[arg-type]  # fmt: skip
    store = Store(db_url)
    adapters = build_adapters(settings, store, fake_texts)
    out = ContactSender(adapters, Router(adapters, settings))
    ids: list[int] = []
    try:
        for n in range(first, first + residents):
            async with store.transaction() as tx:
                contact = await tx.contacts.get_or_create(f"telegram:{5000 + n}", "telegram", "vi")
                plan = await out.send(tx, contact.id, [Reply(f"tin {n}")], kind="notice", lane=lane)
                ids.extend(plan.message_ids)
    finally:
        for adapter in adapters.values():
            await adapter.aclose()
        await store.close()
    return ids


def unique_queue() -> str:
    return f"qt-{uuid.uuid4().hex[:10]}"
