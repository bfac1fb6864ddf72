"""Topic subscriptions (loan news, disaster warnings, village notices) and their audiences."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.contacts import contact_records
from bot.store.models import Contact, Subscription
from bot.store.records import TOPICS, ContactRecord
from bot.store.types import utcnow


class SubscriptionRepo:
    """Subscriptions inside one transaction. One row per (contact, topic), toggled in place."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def set(self, contact_id: int, topics: Iterable[str], on: bool) -> list[str]:
        """Turn ``topics`` on or off for a contact; returns the active topics after, sorted.

        ValueError on an unknown topic (nothing is changed then).
        """
        wanted = set(topics)
        unknown = wanted.difference(TOPICS)
        if unknown:
            raise ValueError(f"unknown topics {sorted(unknown)}")
        existing = {
            row.topic: row
            for row in await self._s.scalars(
                select(Subscription).where(Subscription.contact_id == contact_id)
            )
        }
        now = utcnow()
        for topic in sorted(wanted):
            row = existing.get(topic)
            if row is None:
                self._s.add(
                    Subscription(contact_id=contact_id, topic=topic, active=on, updated_at=now)
                )
            elif row.active != on:
                row.active = on
                row.updated_at = now
        await self._s.flush()
        return await self.active(contact_id)

    async def active(self, contact_id: int) -> list[str]:
        """The contact's active topics, sorted."""
        rows = await self._s.scalars(
            select(Subscription.topic)
            .where(Subscription.contact_id == contact_id, Subscription.active.is_(True))
            .order_by(Subscription.topic)
        )
        return list(rows)

    async def subscribers(self, topic: str, village_id: str | None = None) -> list[ContactRecord]:
        """Who should get a ``topic`` message: active subscribers who have not sent STOP,
        optionally only those of one village; ordered by contact id."""
        if topic not in TOPICS:
            raise ValueError(f"unknown topic {topic!r}")
        subscribed = (
            select(Subscription.contact_id)
            .where(Subscription.topic == topic, Subscription.active.is_(True))
            .scalar_subquery()
        )
        where = Contact.id.in_(subscribed) & Contact.stopped.is_(False)
        if village_id is not None:
            where = where & (Contact.village_id == village_id)
        return await contact_records(self._s, where)
