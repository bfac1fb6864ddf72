"""A bot's back half with a frozen clock, for tests of jobs and bulk sends: the store, the
simulator adapter, the sender, the job runner and the notice service, with no queue. A test
runs what the queue would run now (``run_due``, ``pump``) and moves the clock itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app import prepare_database
from bot.channels.sim import SimAdapter
from bot.config import ROOT
from bot.engine.engine import Engine
from bot.engine.types import EngineServices
from bot.jobs.registry import JobServices
from bot.jobs.runner import Runner
from bot.notices.planner import Planner
from bot.notices.service import Notices
from bot.outbound.contact import ContactSender
from bot.outbound.limiter import MemoryRateLimiter
from bot.outbound.routes import Router
from bot.outbound.sender import Sender
from bot.places.gazetteer import Gazetteer
from bot.policy.service import Policy
from bot.ports import ChannelAdapter
from bot.store.models import OutboundMessage
from bot.store.repo import Store
from bot.store.work import Work
from tests.conftest import make_settings


class Clock:
    """Starts at the real now (jobs are stamped with it when written), then only moves when a
    test moves it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class JobRig:
    store: Store
    runner: Runner
    sender: Sender
    notices: Notices
    clock: Clock

    async def person(
        self,
        user: str,
        role: str = "resident",
        commune: str | None = None,
        *,
        village: str | None = None,
        topics: Sequence[str] = (),
    ) -> int:
        async with self.store.transaction() as tx:
            c = await tx.contacts.get_or_create(f"sim:{user}", "sim", "vi")
            await tx.contacts.update(
                c.id, role=role, role_commune=commune, village_id=village, notice_seen=True,
                role_village=village if role == "head" else None,
            )  # fmt: skip
            if topics:
                await tx.subscriptions.set(c.id, topics, True)
        return c.id

    async def run_due(self) -> int:
        """What the queue would run now: every due job (the clock decides). Returns how many."""
        async with self.store.read() as tx:
            due = await tx.jobs.due(now=self.clock(), stale_running=self.clock())
        for job in due:
            await self.runner.run(Work("job", job.id))
        return len(due)

    async def pump(self, adapter: str = "sim") -> None:
        await self.runner.run(Work("pump", 0, "bulk", None, adapter))

    async def messages(self, kind: str) -> list[dict[str, Any]]:
        """Every stored message of ``kind``, oldest first."""
        async with self.store.engine.connect() as conn:
            rows = await conn.execute(
                select(OutboundMessage.__table__).where(OutboundMessage.kind == kind)
                .order_by(OutboundMessage.id)
            )  # fmt: skip
            return [dict(r._mapping) for r in rows]


async def job_rig(tmp_path: Path, **settings: object) -> JobRig:
    """Build a rig (close it with ``rig.store.close()``)."""
    config = make_settings(tmp_path, **settings)
    await prepare_database(config)
    store = Store(config.database_url)
    places = Gazetteer.load(ROOT / "data" / "places")
    engine = Engine(
        ROOT / "dialogs",
        EngineServices(places=places, policy=Policy.load(ROOT / "data" / "policy")),
    )
    adapters: dict[str, ChannelAdapter] = {"sim": SimAdapter(config)}
    router = Router(adapters, config)
    out = ContactSender(adapters, router)
    clock = Clock()
    sender = Sender(
        store,
        adapters,
        MemoryRateLimiter(),
        router,
        settings=config,
        clock=clock,
    )
    planner = Planner(
        adapters,
        router,
        engine.text,
        places,
        sms_price_vnd=config.sms_price_vnd,
    )
    notices = Notices(planner, places)
    services = JobServices(config, out, engine.text, clock, extra={"notices": notices})
    runner = Runner(store, sender, services, clock=clock)
    return JobRig(store, runner, sender, notices, clock)
