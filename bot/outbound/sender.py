"""Sending one stored message: limits, the provider call, and what its answer means.

Every message the bot sends is a row of ``outbound_messages`` first (see
:mod:`bot.outbound.contact`); this module turns rows into provider calls:

- :meth:`Sender.deliver` sends one reply-lane message (the queue item ``send:<id>``);
- :meth:`Sender.pump` sends the bulk lane of one adapter at the adapter's rate, claiming
  rows in batches so several workers can share the work (``pump:<adapter>:<n>``), several
  provider calls in flight (:mod:`bot.outbound.pump`).

Invariants:

- a row is taken for an attempt by one atomic ``UPDATE`` (``queued`` -> ``sending``); a row
  left ``sending`` by a crash is taken again only once it is stale, so a message goes out
  twice only if it was in flight when its sender died;
- replies are never starved by bulk: bulk takes from the send limits with a reserve of one
  unit (:mod:`bot.outbound.limiter`) and has its own workers, so a reply neither waits in a
  queue behind bulk nor finds the budget empty;
- a pump holds the rows it claimed for at most half the stale time: a slower batch gives the
  rest back rather than let another pump take them as a dead sender's (and send them twice);
  a row is marked in flight just before it takes its send unit and calls the provider, so a
  row taken again from a dead sender is known to have maybe gone (``maybe_twice``) or surely
  not;
- a wait (a send limit, an earlier message to the same person, a retry) is written as the
  row's ``not_before`` before the queue item ends, so the sweeper can tell a waiting message
  from a lost one;
- provider answers: ``throttled`` pauses the whole adapter for ``retry_after`` (shared through
  the limiter) — or, when the provider named no wait, for a short pause that grows while the
  throttles go on (:class:`~bot.outbound.retry.ThrottleBackoff`) — and is not the message's
  fault; ``retryable`` backs off up to
  ``RetryPolicy.max_attempts``; ``unknown`` (may have reached the provider) is retried only
  on an adapter whose sends are idempotent, otherwise recorded as ``unknown``; ``stopped``
  marks the contact stopped; ``permanent`` fails — except Zalo's closed reply window, which
  sends the message another way when the person has one (the router decides).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from bot import metrics
from bot.channels.base import SendError
from bot.config import Settings
from bot.domain.messages import Button, Outbound, Reply
from bot.outbound.limits import ChannelLimits, limits_for
from bot.outbound.pump import Ledger, Pump
from bot.outbound.retry import RetryPolicy, ThrottleBackoff
from bot.outbound.routes import Router
from bot.ports import ChannelAdapter, RateLimiter
from bot.render.sms import segment_info
from bot.store.bulk import OPEN, SentMark
from bot.store.records import OutboundRecord
from bot.store.repo import Store
from bot.store.types import utcnow

log = logging.getLogger(__name__)

WINDOW_CLOSED = "zalo_window_closed"
ORDER_WAIT = 0.2  # seconds between looks at an earlier message to the same person
SLEEP_IN_PLACE = 2.0  # shorter waits are slept in the worker; longer ones leave the queue
STALE_SENDING = timedelta(minutes=2)  # default: a "sending" row this old lost its sender
FOLLOW_ON = 10  # messages to one person one reply-lane item may send in a row


class Sender:
    """Sends stored messages through the enabled adapters."""

    def __init__(
        self,
        store: Store,
        adapters: Mapping[str, ChannelAdapter],
        limiter: RateLimiter,
        router: Router,
        *,
        settings: Settings | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
        rand: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        batch: int = 50,
        stale: timedelta = STALE_SENDING,
        in_flight: int | None = None,
    ) -> None:
        self.store = store
        self._adapters = adapters
        self._limiter = limiter
        self._router = router
        # public so a benchmark can lift the limits to measure everything else
        self.limits: dict[str, ChannelLimits] = {n: limits_for(n, settings) for n in adapters}
        self._retry = retry or RetryPolicy()
        self._backoff = ThrottleBackoff()
        self.clock = clock
        self._rand = rand
        self._sleep = sleep
        # the pumps' settings (bot.outbound.pump)
        self.batch, self.stale = batch, stale
        self.in_flight = in_flight or (settings.bulk_in_flight if settings else 8)

    # -- the reply lane: one message per queue item ------------------------------------------

    async def deliver(self, message_id: int) -> datetime | None:
        """One try at a reply-lane message. Returns None when the message is finished (sent,
        failed, unknown, or not ours to send), else when to try again (written to the row).

        After a send, the next waiting message to the same person goes out at once, in the
        same item (a turn's three replies leave in order without waiting on each other)."""
        for _ in range(FOLLOW_ON):
            again = await self._deliver_one(message_id)
            if again is not None:
                return again
            async with self.store.read() as tx:
                rec = await tx.outbound.get(message_id)
                following = await tx.outbound.next_open(rec) if rec is not None else None
            if following is None:
                return None
            message_id = following
        return None

    async def _deliver_one(self, message_id: int) -> datetime | None:
        async with self.store.read() as tx:
            rec = await tx.outbound.get(message_id)
            earlier = rec is not None and await tx.outbound.earlier_open(rec)
        if rec is None or rec.status not in OPEN:
            return None
        now = self.clock()
        if rec.not_before is not None and rec.not_before > now:
            return rec.not_before
        if rec.status == "sending" and rec.updated_at > now - self.stale:
            return None  # another sender has it
        if earlier:
            return await self._wait(rec, ORDER_WAIT)
        wait = await self._acquire(rec)
        if wait > 0:
            return await self._wait(rec, wait)
        async with self.store.transaction() as tx:
            taken = await tx.outbound.start_sending(message_id, stale_before=now - self.stale)
        if taken is None:
            return None
        if rec.status == "sending":
            log.warning("outbound %d: resending after its sender died mid-send", message_id)
        return await self._attempt(taken)

    async def _wait(self, rec: OutboundRecord, seconds: float) -> datetime:
        """Record the wait on the row (so the sweeper knows it is not lost); short waits are
        slept here, in the worker, without leaving the queue."""
        if seconds <= SLEEP_IN_PLACE:
            await self._sleep(seconds)
            return self.clock()
        at = self.clock() + timedelta(seconds=seconds)
        async with self.store.transaction() as tx:
            await tx.outbound.defer(rec.id, not_before=at)
        return at

    # -- the bulk lane: a pump per adapter ----------------------------------------------------

    async def pump(self, adapter: str) -> datetime | None:
        """Send the due bulk messages of ``adapter`` (:class:`bot.outbound.pump.Pump`);
        returns when the next waiting one is due, None when nothing waits."""
        if adapter not in self._adapters:
            log.error("bulk messages for %s, which is not enabled", adapter)
            return None
        return await Pump(self, adapter, self.in_flight).run()

    async def bulk_one(
        self, rec: OutboundRecord, hold_until: datetime, ledger: Ledger
    ) -> datetime | None:
        """Send one claimed bulk row at the adapter's rate. None when done with it; else,
        nothing taken or sent, when it may go (the wait would outlast ``hold_until``).

        The row is marked in flight before it takes its unit, so nothing (a wait for a
        database connection) lies between the unit and the call: calls reach the provider
        spaced as the limiter let them go, not bunched into a burst it refuses. Both marks
        (in flight, sent) go through the pump's ``ledger`` (group commit)."""
        await ledger.in_flight(rec.id)
        while True:
            wait = await self._acquire(rec)
            if wait <= 0:
                break
            due = self.clock() + timedelta(seconds=wait)
            if due > hold_until:
                return due
            await self._sleep(wait)
        again = await self._attempt(rec, ledger)
        if again is not None:
            async with self.store.transaction() as tx:
                await tx.outbound.defer(rec.id, not_before=again)
        return None

    # -- one attempt --------------------------------------------------------------------------

    async def _acquire(self, rec: OutboundRecord) -> float:
        """Take this message's cost from every limit; the seconds to wait if one refuses."""
        limits = self.limits.get(rec.adapter)
        if limits is None:
            return 0.0
        cost = float(rec.segments or 1) if limits.count_segments else 1.0
        reserve = 1.0 if rec.priority == "bulk" else 0.0
        return await self._limiter.try_acquire_all(
            limits.keys(rec.adapter, rec.urn), cost, reserve=reserve
        )

    async def _attempt(self, rec: OutboundRecord, ledger: Ledger | None = None) -> datetime | None:
        """Send a row taken as ``sending``; None when finished, else when to try again. A
        bulk row's "sent" is written through its pump's ``ledger``."""
        adapter = self._adapters.get(rec.adapter)
        if adapter is None:
            return await self._give_up(rec, SendError("permanent", "adapter not enabled"))
        try:
            result = await adapter.send(_outbound(rec))
        except SendError as exc:
            return await self._failed(rec, adapter, exc)
        except Exception as exc:  # an adapter bug or an unmapped network error: retry
            error = SendError("retryable", f"unexpected {type(exc).__name__}")
            return await self._failed(rec, adapter, error)
        segments = result.segments if result.segments is not None else rec.segments
        if ledger is not None:
            await ledger.sent(SentMark(rec.id, result.external_id, segments, rec.attempts))
            metrics.sent(rec.adapter, rec.kind, segments, rec.created_at, self.clock())
            return None
        async with self.store.transaction() as tx:
            await tx.outbound.mark_sent(
                rec.id, external_id=result.external_id, segments=segments, attempts=rec.attempts
            )
        log.info("outbound %d (%s) sent via %s", rec.id, rec.kind, rec.adapter)
        metrics.sent(rec.adapter, rec.kind, segments, rec.created_at, self.clock())
        return None

    async def _failed(
        self, rec: OutboundRecord, adapter: ChannelAdapter, error: SendError
    ) -> datetime | None:
        log.warning("outbound %d via %s: %s (attempt %d)", rec.id, rec.adapter, error, rec.attempts)
        metrics.send_failed(rec.adapter, error.kind)
        now = self.clock()
        retry = self._retry
        if error.kind == "throttled":
            throttles = int(rec.meta.get("throttles", 0)) + 1
            if throttles <= retry.max_throttled:
                wait = error.retry_after or self._backoff.next(rec.adapter, now.timestamp())
                await self._limiter.pause(f"{rec.adapter}:all", wait)
                at = now + timedelta(seconds=wait)
                await self._requeue(
                    rec, at, attempts=rec.attempts - 1, meta={**rec.meta, "throttles": throttles}
                )
                return at
        if error.kind == "unknown" and adapter.idempotent_sends:
            error = SendError("retryable", error.detail, code=error.code)
        if error.kind == "retryable" and rec.attempts < retry.max_attempts:
            at = now + timedelta(seconds=retry.delay(rec.attempts, self._rand()))
            await self._requeue(rec, at)
            return at
        if error.kind == "permanent" and error.code == WINDOW_CLOSED:
            return await self._reroute(rec, error)
        return await self._give_up(rec, error)

    async def _requeue(
        self,
        rec: OutboundRecord,
        at: datetime,
        *,
        attempts: int | None = None,
        meta: dict[str, object] | None = None,
    ) -> None:
        changes = {"meta": meta} if meta is not None else None
        async with self.store.transaction() as tx:
            await tx.outbound.requeue(rec.id, not_before=at, attempts=attempts, changes=changes)

    async def _give_up(self, rec: OutboundRecord, error: SendError) -> datetime | None:
        async with self.store.transaction() as tx:
            if error.kind == "unknown":
                await tx.outbound.mark_unknown(rec.id, code=error.code, attempts=rec.attempts)
            else:
                if error.kind == "stopped":
                    contact = rec.contact_id
                    if contact is None:
                        found = await tx.contacts.by_urn(rec.urn)
                        contact = found.id if found else None
                    if contact is not None:
                        await tx.contacts.set_stopped(contact, True)
                await tx.outbound.mark_failed(
                    rec.id, kind=error.kind, code=error.code, attempts=rec.attempts
                )
        log.warning("outbound %d via %s ended: %s", rec.id, rec.adapter, error.kind)
        return None

    async def _reroute(self, rec: OutboundRecord, error: SendError) -> datetime | None:
        """Zalo's window closed under us: the same words another way, if the person has one."""
        tried = [*rec.meta.get("tried", []), rec.adapter]
        async with self.store.transaction() as tx:
            contact = await tx.contacts.get(rec.contact_id) if rec.contact_id else None
            choice = (
                await self._router.pick(contact, rec.priority, exclude=tried)
                if contact is not None
                else None
            )
            if choice is None or choice.route is None:
                await tx.outbound.mark_failed(
                    rec.id, kind="permanent", code=WINDOW_CLOSED, attempts=rec.attempts
                )
                return None
            route = choice.route
            rendered = self._adapters[route.adapter].render(
                route.urn, [_reply(rec)], contact.language if contact else "vi", route.rendering
            )
            first, *rest = rendered or [Outbound(route.adapter, route.urn, rec.text)]
            meta = {**first.meta, "tried": tried, "rerouted_because": error.code}
            await tx.outbound.requeue(
                rec.id,
                attempts=0,
                changes={
                    "adapter": route.adapter, "urn": route.urn, "rendering": route.rendering,
                    "text": first.text, "buttons": [[b.title, b.payload] for b in first.buttons],
                    "request": first.request, "meta": meta, "segments": _segments(first),
                },
            )  # fmt: skip
            for extra in rest:
                await tx.outbound.create(
                    contact_id=rec.contact_id, adapter=route.adapter, urn=route.urn,
                    rendering=route.rendering, kind=rec.kind, text=extra.text,
                    buttons=[(b.title, b.payload) for b in extra.buttons], request=extra.request,
                    meta=dict(extra.meta), priority=rec.priority, segments=_segments(extra),
                )  # fmt: skip
        log.info("outbound %d: %s, sent via %s instead", rec.id, error.code, route.adapter)
        return self.clock()


def _outbound(rec: OutboundRecord) -> Outbound:
    """The row as the adapter's send call takes it; ``outbound_id`` lets an idempotent
    provider recognise a retried send."""
    return Outbound(
        rec.adapter,
        rec.urn,
        rec.text,
        tuple(Button(t, p) for t, p in rec.buttons),
        rec.request,
        {**rec.meta, "outbound_id": rec.id},
    )


def _reply(rec: OutboundRecord) -> Reply:
    request = rec.request if rec.request in ("location", "contact", "photo") else None
    return Reply(rec.text, tuple(Button(t, p) for t, p in rec.buttons), request)  # type: ignore[arg-type]


def _segments(message: Outbound) -> int | None:
    """SMS segments of a rendered message (None for chat channels)."""
    given = message.meta.get("segments")
    if isinstance(given, int) and given > 0:
        return given
    return segment_info(message.text).segments if message.meta.get("encoding") else None
