"""Sending to a contact: everything that is not the direct answer to a message.

An alert to an officer, a status change, an officer's reply, a village notice: the caller
names a contact and what to say; :class:`ContactSender` picks the way (adapter, address,
rendering: :mod:`bot.outbound.routes`), renders, and records each message inside the caller's
transaction. The queue sends it once that transaction commits (``Tx.work``), so a message is
never sent for a change that rolled back, and never lost for one that committed.

Direct replies take the same road from the webhook runtime (:meth:`ContactSender.record`):
the pipeline has already committed; the adapter they came through renders them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.messages import Outbound, Reply
from bot.outbound.routes import Route, Router
from bot.ports import ChannelAdapter
from bot.render.sms import segment_info
from bot.store.records import NotFound
from bot.store.repo import Tx


@dataclass(frozen=True, slots=True)
class SendPlan:
    """What :meth:`ContactSender.send` did: the route taken (None: the contact cannot be
    reached now), the messages recorded, and why a way was passed over (the caller learns
    that a Zalo resident got an SMS because the reply window was closed)."""

    route: Route | None
    message_ids: tuple[int, ...] = ()
    reason: str | None = None
    passed: tuple[tuple[str, str], ...] = ()

    @property
    def sent(self) -> bool:
        return bool(self.message_ids)


class ContactSender:
    """``send(tx, contact_id, replies, kind=...)``: the one way to start a message."""

    def __init__(self, adapters: dict[str, ChannelAdapter], router: Router) -> None:
        self._adapters = adapters
        self.router = router

    async def send(
        self,
        tx: Tx,
        contact_id: int,
        replies: Sequence[Reply] | Callable[[str, str], Sequence[Reply]],
        *,
        kind: str,
        lane: str = "reply",
        key: str | None = None,
        not_before: datetime | None = None,
    ) -> SendPlan:
        """Record ``replies`` for ``contact_id`` in ``tx``; they go out after commit.

        ``replies`` may be a function of (rendering, language) when the words depend on how
        the message will look (an SMS cannot have buttons) or who reads it.
        ``kind``: alert, status, officer_reply, notice, system. ``lane``: "reply" for
        anything a person waits for, "bulk" for notices. ``key`` makes the send idempotent
        (a job that runs twice sends once). A stopped contact gets no bulk message.
        """
        contact = await tx.contacts.get(contact_id)
        if contact is None:
            raise NotFound(f"contact {contact_id}")
        if lane == "bulk" and contact.stopped:
            return SendPlan(None, reason="stopped")
        choice = await self.router.pick(contact, lane)
        if choice.route is None:
            return SendPlan(None, reason=choice.reason, passed=choice.passed)
        route = choice.route
        adapter = self._adapters[route.adapter]
        said = replies(route.rendering, contact.language) if callable(replies) else replies
        rendered = adapter.render(route.urn, said, contact.language, route.rendering)
        ids = await self.record(
            tx, route, rendered, contact_id=contact_id, kind=kind, lane=lane, key=key,
            not_before=not_before,
        )  # fmt: skip
        return SendPlan(route, ids, choice.reason, choice.passed)

    async def record(
        self,
        tx: Tx,
        route: Route,
        rendered: Sequence[Outbound],
        *,
        contact_id: int | None,
        kind: str = "reply",
        lane: str = "reply",
        key: str | None = None,
        not_before: datetime | None = None,
    ) -> tuple[int, ...]:
        """Store already rendered messages for ``route`` (sent after ``tx`` commits)."""
        ids = []
        for n, out in enumerate(rendered):
            message_id = await tx.outbound.create(
                contact_id=contact_id, adapter=route.adapter, urn=route.urn,
                rendering=route.rendering, kind=kind, text=out.text,
                buttons=[(b.title, b.payload) for b in out.buttons], request=out.request,
                meta=dict(out.meta), priority=lane, segments=_segments(route, out),
                idempotency_key=f"{key}:{n}" if key else None, not_before=not_before,
            )  # fmt: skip
            ids.append(message_id)
        return tuple(ids)


def _segments(route: Route, message: Outbound) -> int | None:
    """Billed SMS segments (what the renderer said, or counted); None off SMS."""
    if route.rendering != "sms":
        return None
    given = message.meta.get("segments")
    return given if isinstance(given, int) and given > 0 else segment_info(message.text).segments
