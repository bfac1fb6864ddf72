"""Building the messaging side of the bot: adapters, send limits, routes, the queue.

One object, :class:`Channels`, holds it all so the app and ``banbot worker`` build the same
thing: the enabled adapters (plus the simulator unless it is switched off), the send limiter
(memory, or Redis when configured), the router and :class:`ContactSender` (the one way to
start a message), the :class:`Sender` and :class:`Runner` that turn queue items into provider
calls, the queue itself (in-process, or saq on Redis), the sweeper, and the webhook runtime.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import partial

from redis.asyncio import Redis

from bot.channels.runtime import ChannelRuntime, Handler
from bot.channels.sim import SimAdapter
from bot.channels.spool import Spool
from bot.config import Settings
from bot.jobs import heartbeat as beats
from bot.jobs.heartbeat import Heartbeat
from bot.jobs.local import LocalQueue
from bot.jobs.registry import JobServices
from bot.jobs.runner import Runner
from bot.jobs.sweeper import Sweeper
from bot.outbound.contact import ContactSender
from bot.outbound.limiter import MemoryRateLimiter, RedisRateLimiter
from bot.outbound.routes import Router
from bot.outbound.sender import Sender
from bot.ports import ChannelAdapter, JobQueue, RateLimiter
from bot.privacy.jobs import schedule_purge
from bot.store.channel_state import SqlChannelState
from bot.store.repo import Store
from bot.store.work import Work
from integrations.registry import AdapterDeps, build_enabled

log = logging.getLogger(__name__)
Texts = Callable[..., str]


async def _nothing() -> None:
    return None


@dataclass(slots=True)
class Channels:
    """Everything that carries messages; :meth:`start` runs the in-process parts."""

    adapters: dict[str, ChannelAdapter]  # every enabled adapter, the simulator included
    limiter: RateLimiter
    router: Router
    contacts_out: ContactSender
    sender: Sender
    runner: Runner
    queue: JobQueue
    sweeper: Sweeper
    runtime: ChannelRuntime
    heartbeat: Heartbeat  # written where the queue runs (start(sweep=True)), read by /readyz
    _close_limiter: Callable[[], Awaitable[None]] = field(default=_nothing)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def webhook_adapters(self) -> dict[str, ChannelAdapter]:
        """The adapters providers post to (``/webhooks/<name>``)."""
        return {n: a for n, a in self.adapters.items() if n != "sim"}

    def start(self, *, sweep: bool, inbound: bool = False) -> None:
        """Start the sweeper and the heartbeat in this process (the app with the local queue;
        the worker); with ``inbound`` (a process that takes webhooks) the replay of messages
        kept on disk while the database was down."""
        if self._tasks:
            return
        if inbound:
            replay = self.runtime.replay_kept(self._stop)
            self._tasks.append(asyncio.create_task(replay, name="inbound-spool"))
        if sweep:
            self._tasks.append(asyncio.create_task(self.sweeper.run(self._stop), name="sweeper"))
            beat = beats.run(self.heartbeat, self.queue, self._stop)
            self._tasks.append(asyncio.create_task(beat, name="heartbeat"))

    async def drain(self) -> None:
        """Wait until every accepted message is processed and every send that is due now
        has gone out (tests, benchmarks; the in-process queue only)."""
        await self.runtime.drain()
        if isinstance(self.queue, LocalQueue):
            await self.queue.drain()

    async def aclose(self, grace_seconds: float = 10.0) -> None:
        await self.runtime.aclose(grace_seconds)  # inbound first: it records replies
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.queue.aclose(grace_seconds)
        await self.heartbeat.aclose()
        for name, adapter in self.adapters.items():
            try:
                await adapter.aclose()
            except Exception:  # one adapter failing to close must not keep others open
                log.exception("closing adapter %s failed", name)
        await self._close_limiter()


def build_adapters(settings: Settings, store: Store, texts: Texts) -> dict[str, ChannelAdapter]:
    """The enabled adapters, with the SQL channel state and the catalogue texts."""
    adapters = build_enabled(settings, AdapterDeps(state=SqlChannelState(store), texts=texts))
    adapters["sim"] = SimAdapter(settings, texts)
    return adapters


def build_limiter(settings: Settings) -> tuple[RateLimiter, Callable[[], Awaitable[None]]]:
    """Redis-shared limits when ``redis_url`` is set (many processes), else in memory."""
    if settings.redis_url is None:
        return MemoryRateLimiter(), _nothing
    client = Redis.from_url(settings.redis_url)
    return RedisRateLimiter(client), client.aclose


def build_queue(settings: Settings, runner: Runner) -> JobQueue:
    if settings.queue == "saq":
        from bot.jobs.saq_queue import SaqQueue  # only with Redis

        # a killed worker's items are retried once their heartbeat is this old
        heartbeat = max(2, min(15, settings.send_stale_seconds // 4))
        return SaqQueue(str(settings.redis_url), name=settings.queue_name, heartbeat=heartbeat)
    workers = {"reply": settings.queue_workers_reply, "bulk": settings.queue_workers_bulk}
    return LocalQueue(runner.run, workers=workers)


def build_channels(
    settings: Settings,
    store: Store,
    pipeline: Handler,
    texts: Texts,
    *,
    adapters: dict[str, ChannelAdapter] | None = None,
    limiter: RateLimiter | None = None,
    max_concurrency: int = 32,
) -> Channels:
    """The messaging side from settings; tests pass their own ``adapters`` / ``limiter``."""
    if adapters is None:
        adapters = build_adapters(settings, store, texts)
    close: Callable[[], Awaitable[None]] = _nothing
    if limiter is None:
        limiter, close = build_limiter(settings)
    router = Router(adapters, settings)
    contacts_out = ContactSender(adapters, router)
    stale = timedelta(seconds=settings.send_stale_seconds)
    sender = Sender(store, adapters, limiter, router, settings=settings, stale=stale)
    runner = Runner(store, sender, JobServices(settings, contacts_out, texts))
    queue = build_queue(settings, runner)
    pumps = settings.bulk_pumps

    async def on_commit(work: Sequence[Work]) -> None:
        await queue.enqueue(_with_pumps(work, pumps))

    store.on_commit(on_commit)
    sweeper = Sweeper(
        store, queue, pumps=pumps, stale=stale,
        periodic=[partial(schedule_purge, settings=settings)],
    )  # fmt: skip
    runtime = ChannelRuntime(
        pipeline, contacts_out, store, max_concurrency=max_concurrency,
        spool=Spool(settings.spool_dir), adapters=adapters,
    )  # fmt: skip
    real = sorted(n for n in adapters if n != "sim")
    if real:
        log.info("channels enabled: %s", ", ".join(real))
    heartbeat = beats.build_heartbeat(settings)
    return Channels(
        adapters, limiter, router, contacts_out, sender, runner, queue, sweeper, runtime,
        heartbeat, close,
    )  # fmt: skip


def _with_pumps(work: Sequence[Work], pumps: int) -> list[Work]:
    """A bulk message wakes every pump of its adapter (they share the rows)."""
    out: list[Work] = []
    for item in work:
        if item.what == "pump":
            out.extend(replace(item, id=n) for n in range(pumps))
        else:
            out.append(item)
    return out
