"""Merging two contacts that turned out to be one person (a phone number shared on Telegram
or Zalo that an SMS contact already had).

The older contact survives (its id is what officers have seen on reports). Everything the
newer one owns moves: URNs, reports, eligibility checks, messages both ways, subscriptions.
The profile (language, village, name) comes from whichever contact changed most recently,
since that is what the person said last; a missing value is filled from the other one.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import (
    Contact,
    ContactUrn,
    EligibilityCheck,
    InboundMessageRow,
    OutboundMessage,
    Report,
    Subscription,
)
from bot.store.records import ROLES, NotFound
from bot.store.types import utcnow

OWNED = (ContactUrn, Report, EligibilityCheck, OutboundMessage, InboundMessageRow)


async def merge_contacts(session: AsyncSession, a: int, b: int) -> int:
    """Merge contacts ``a`` and ``b``; returns the id of the survivor (the older one)."""
    if a == b:
        return a
    ca, cb = await session.get(Contact, a), await session.get(Contact, b)
    if ca is None or cb is None:
        raise NotFound(f"contact {a if ca is None else b}")
    keep, drop = sorted((ca, cb), key=lambda c: (c.created_at, c.id))
    recent, other = sorted((ca, cb), key=lambda c: (c.updated_at, c.id), reverse=True)
    keep.language = recent.language
    keep.village_id = recent.village_id or other.village_id
    keep.name = recent.name or other.name
    keep.stopped = recent.stopped
    seen = [t for t in (ca.notice_seen_at, cb.notice_seen_at) if t is not None]
    keep.notice_seen_at = min(seen) if seen else None
    consents = [c for c in (ca, cb) if c.consent_at is not None]
    first = min(consents, key=lambda c: c.consent_at or c.created_at) if consents else None
    keep.consent_version = first.consent_version if first else None
    keep.consent_at = first.consent_at if first else None
    trusted = max((ca, cb), key=lambda c: ROLES.index(c.role))  # the more trusted role wins
    keep.role, keep.role_commune, keep.role_village = (
        trusted.role,
        trusted.role_commune,
        trusted.role_village,
    )
    keep.updated_at = utcnow()
    for model in OWNED:
        await session.execute(
            update(model)
            .where(model.contact_id == drop.id)
            .values(contact_id=keep.id)
            .execution_options(synchronize_session=False)
        )
    await _merge_subscriptions(session, keep.id, drop.id)
    await session.flush()
    await session.execute(delete(Contact).where(Contact.id == drop.id))
    session.expunge(drop)
    return keep.id


async def _merge_subscriptions(session: AsyncSession, keep: int, drop: int) -> None:
    """One row per topic survives: for a topic both had, the more recently changed choice."""
    rows = list(
        await session.scalars(select(Subscription).where(Subscription.contact_id.in_((keep, drop))))
    )
    kept = {r.topic: r for r in rows if r.contact_id == keep}
    for row in (r for r in rows if r.contact_id == drop):
        mine = kept.get(row.topic)
        if mine is None:
            row.contact_id = keep
            continue
        if row.updated_at > mine.updated_at:
            mine.active, mine.updated_at = row.active, row.updated_at
        await session.delete(row)
    await session.flush()
