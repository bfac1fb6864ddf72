"""The webhook sink: ties channel adapters to the pipeline and the outbound queue.

For each ``Inbound`` of a :class:`ParseResult` the runtime starts a tracked task and returns,
so the provider gets its 200 at once. The task runs ``Pipeline.handle`` (which dedupes a
replayed delivery before anything else), renders the replies with the adapter that brought
the message and records them in the reply lane (:meth:`ContactSender.record`); the queue
sends them once that commits. At most ``max_concurrency`` messages are in the
pipeline at once; at most ``max_pending`` wait, beyond which the webhook itself waits
(back-pressure instead of unbounded memory). A failed task is logged with its traceback;
nothing fails silently. Delivery statuses are written before the webhook answers (a failure
there is a 500, and the provider retries).

:meth:`ChannelRuntime.aclose` stops taking webhooks (the sink raises ``Unavailable``, the
route answers 503, providers retry later), waits for running tasks up to a grace period, and
cancels the rest.

While the conversation state (Redis) is down, a delivery with messages from a provider that
redelivers (Telegram) is refused the same way before anything is written: it waits at the
provider. Other providers' messages are accepted; the pipeline answers them with a short
apology (``StateUnavailable``), recorded and sent like any reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from bot.channels.base import DeliveryStatus, ParseResult, Unavailable
from bot.channels.spool import Spool
from bot.domain.messages import Inbound
from bot.outbound.contact import ContactSender
from bot.outbound.routes import Route
from bot.pipeline import Outcome
from bot.ports import ChannelAdapter, StoreUnavailable
from bot.store.repo import Store

log = logging.getLogger(__name__)


class Handler(Protocol):
    async def handle(self, msg: Inbound) -> Outcome: ...

    async def accepting(self) -> bool: ...


class ChannelRuntime:
    """The sink given to :func:`bot.channels.webhook.webhook_router`."""

    def __init__(
        self,
        pipeline: Handler,
        contacts_out: ContactSender,
        store: Store,
        *,
        max_concurrency: int = 32,
        max_pending: int = 1000,
        spool: Spool | None = None,
        adapters: Mapping[str, ChannelAdapter] | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._out = contacts_out
        self._store = store
        self._running = asyncio.Semaphore(max_concurrency)
        self._pending = asyncio.Semaphore(max_pending)
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._spool = spool
        self._adapters = dict(adapters or {})

    @property
    def busy(self) -> int:
        """Messages accepted and not finished yet."""
        return len(self._tasks)

    async def sink(self, adapter: ChannelAdapter, result: ParseResult) -> None:
        """Record statuses, then schedule every inbound message; returns without waiting."""
        if self._closed:
            raise Unavailable("shutting down; the provider will retry")
        if adapter.redelivers and result.inbounds and not await self._pipeline.accepting():
            # Kept at the provider, which sends it again: better than accepting a message
            # whose turn cannot run (its resident would get only an apology).
            raise Unavailable("conversation state unreachable; the provider will retry")
        if result.activity:
            # Before any reply can be sent (e.g. Zalo's free reply window opens here).
            await adapter.record_activity(result.activity)
        if result.statuses:
            await self._record_statuses(adapter.name, result.statuses)
        for msg in result.inbounds:
            await self._pending.acquire()
            task = asyncio.create_task(self._process(adapter, msg), name=f"inbound-{adapter.name}")
            self._tasks.add(task)
            task.add_done_callback(self._done)

    async def drain(self) -> None:
        """Wait until every accepted message is processed (tests, benchmarks)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def aclose(self, grace_seconds: float = 10.0) -> None:
        """Refuse new webhooks, finish accepted messages within the grace period, cancel the
        rest. A cancelled turn rolls back and keeps the old session; its delivery id is
        already marked seen, so that one message is lost (logged with the count)."""
        self._closed = True
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace_seconds)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("shutdown cancelled %d inbound message(s) still in progress", len(pending))
            await asyncio.wait(pending)

    async def _process(self, adapter: ChannelAdapter, msg: Inbound) -> None:
        if msg.rendering is None:
            # The engine picks texts by how replies look (".sms" variants), not by provider.
            msg = replace(msg, rendering=adapter.rendering)
        try:
            await self._answer(adapter, msg)
        except StoreUnavailable:
            if self._spool is None:
                raise
            await self._spool.put(msg)
            log.warning("database unreachable: a %s message kept on disk for later", adapter.name)

    async def replay_kept(self, stop: asyncio.Event, every: float = 5.0) -> None:
        """Until ``stop``: every ``every`` seconds, answer the messages kept on disk while the
        database was down (:meth:`replay_now`), oldest first."""
        while not stop.is_set():
            if self._spool is not None and self._spool.waiting():
                try:
                    await self.replay_now()
                except Exception:  # the loop must outlive one bad round
                    log.exception("replaying kept inbound messages failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(every):  # not wait_for: it may eat a cancel (3.11)
                    await stop.wait()

    async def replay_now(self) -> int:
        """Answer the kept messages now; how many went through (it stops at the first that
        still finds the database down)."""
        if self._spool is None:
            return 0

        async def answer(msg: Inbound) -> None:
            adapter = self._adapters.get(msg.adapter)
            if adapter is None:
                log.error("a kept %s message: that adapter is not enabled now", msg.adapter)
                return
            await self._answer(adapter, msg)

        return await self._spool.replay(answer)

    async def _answer(self, adapter: ChannelAdapter, msg: Inbound) -> None:
        """The turn and its replies recorded; raises StoreUnavailable when the database is
        down (nothing of the turn kept)."""
        async with self._running:
            outcome = await self._pipeline.handle(msg)
        if outcome.duplicate or not outcome.replies:
            return
        rendered = adapter.render(msg.address, outcome.replies, outcome.language)
        route = Route(adapter.name, msg.address, adapter.rendering)
        async with self._store.transaction() as tx:
            await self._out.record(tx, route, rendered, contact_id=outcome.contact_id)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._pending.release()
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("inbound processing failed (%s)", task.get_name(), exc_info=exc)

    async def _record_statuses(self, channel: str, statuses: Sequence[DeliveryStatus]) -> None:
        async with self._store.transaction() as tx:
            for st in statuses:
                rec = await tx.outbound.record_status(
                    channel, st.external_id, st.status, error_code=st.error_code
                )
                if rec is None:
                    log.info("%s status %s for a message we do not know", channel, st.status)
                elif st.stopped and rec.contact_id is not None:
                    await tx.contacts.set_stopped(rec.contact_id, True)
