"""What the sending tests share: a fake time that only moves when someone sleeps, and a bench
of real parts (Sender, Router, ContactSender, memory limiter on the fake time) around
recording fake adapters (tests/channels/fakes.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Settings
from bot.outbound.contact import ContactSender
from bot.outbound.limiter import MemoryRateLimiter
from bot.outbound.retry import RetryPolicy
from bot.outbound.routes import Router
from bot.outbound.sender import STALE_SENDING, Sender
from bot.ports import ChannelAdapter
from bot.store.records import OutboundRecord
from bot.store.repo import Store
from bot.store.types import utcnow
from tests.channels.fakes import FakeAdapter

RENDERINGS = {"zalo": "zalo", "android_sms": "sms", "twilio_sms": "sms"}
SCHEMES = {"zalo_bot": "zalobot", "android_sms": "tel", "twilio_sms": "tel"}
ADAPTER_OF = {"zalobot": "zalo_bot", "tel": "android_sms"}  # the usual adapter of a scheme


class FakeTime:
    """Wall-clock time for the code under test (``clock()``) and the matching monotonic
    seconds (``mono()``, for the memory limiter) that move only when someone ``sleep``s or the
    test ``advance``s them. It starts at the real now: the store stamps ``updated_at`` with the
    real clock, and stale rows are judged against this one."""

    def __init__(self, start: datetime | None = None) -> None:
        self.start = start or utcnow()
        self.now = self.start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def mono(self) -> float:
        return 1_000.0 + (self.now - self.start).total_seconds()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def to(self, when: datetime) -> None:
        self.now = max(self.now, when)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)


def fake(name: str, *script: object, idempotent: bool = False) -> FakeAdapter:
    """A recording adapter standing in for ``name`` (its scheme and rendering)."""
    adapter = FakeAdapter(name, script)  # type: ignore[arg-type]
    adapter.schemes = (SCHEMES.get(name, name),)
    adapter.rendering = RENDERINGS.get(name, "telegram")
    adapter.idempotent_sends = idempotent
    return adapter


@dataclass
class Bench:
    store: Store
    time: FakeTime
    adapters: dict[str, FakeAdapter]
    limiter: MemoryRateLimiter
    router: Router
    sender: Sender
    out: ContactSender

    async def person(self, *urns: str, stopped: bool = False) -> int:
        """A contact with ``urns``; the first one is the one seen last."""
        async with self.store.transaction() as tx:
            first = urns[0]
            contact = await tx.contacts.get_or_create(first, first.split(":")[0], "vi")
            for urn in urns[1:]:
                await tx.contacts.add_urn(contact.id, urn)
            if stopped:
                await tx.contacts.set_stopped(contact.id, True)
            return contact.id

    async def message(
        self,
        contact_id: int | None,
        urn: str,
        text: str,
        *,
        adapter: str | None = None,
        lane: str = "reply",
        buttons: Sequence[tuple[str, str]] = (),
        not_before: datetime | None = None,
        segments: int | None = None,
    ) -> int:
        scheme = urn.split(":")[0]
        name = adapter or ADAPTER_OF.get(scheme, scheme)
        async with self.store.transaction() as tx:
            return await tx.outbound.create(
                contact_id=contact_id, adapter=name, urn=urn, text=text,
                rendering=RENDERINGS.get(name, "telegram"), priority=lane,
                kind="notice" if lane == "bulk" else "reply", buttons=buttons,
                not_before=not_before, segments=segments,
            )  # fmt: skip

    async def row(self, message_id: int) -> OutboundRecord:
        async with self.store.read() as tx:
            rec = await tx.outbound.get(message_id)
        assert rec is not None
        return rec

    async def deliver_until_done(self, message_id: int, *, rounds: int = 50) -> int:
        """Run ``send:<id>`` as the queue would: again at the time it asks, until finished.
        Returns the number of runs."""
        for n in range(1, rounds + 1):
            again = await self.sender.deliver(message_id)
            if again is None:
                return n
            self.time.to(again)
        raise AssertionError(f"message {message_id} still unfinished after {rounds} runs")


def bench(
    store: Store,
    *adapters: FakeAdapter,
    retry: RetryPolicy | None = None,
    stale: timedelta = STALE_SENDING,
    settings: Settings | None = None,
    batch: int = 50,
    time: FakeTime | None = None,
    limiter: MemoryRateLimiter | None = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    in_flight: int | None = None,
) -> Bench:
    """A Sender over ``adapters``; ``time`` and ``limiter`` shared with another bench make
    two workers of one bot."""
    time = time or FakeTime()
    named = {a.name: a for a in adapters}
    ports: dict[str, ChannelAdapter] = dict(named)
    settings = settings or Settings(env="test")  # type: ignore[call-arg]
    limiter = limiter or MemoryRateLimiter(clock=time.mono)
    router = Router(ports, settings)
    sender = Sender(
        store, ports, limiter, router, settings=settings, retry=retry, clock=time,
        rand=lambda: 0.5, sleep=sleep or time.sleep, batch=batch, stale=stale,
        in_flight=in_flight,
    )  # fmt: skip
    return Bench(store, time, named, limiter, router, sender, ContactSender(ports, router))
