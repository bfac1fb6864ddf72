"""The SQL store: one engine, and transactions that hand out repositories.

Usage::

    store = Store(settings.database_url)
    async with store.transaction() as tx:
        contact = await tx.contacts.get_or_create("telegram:123", "telegram", "vi")
        report = await tx.reports.create(contact_id=contact.id, type="disaster", ...)
    # committed here; only now may the bot tell the resident report.ref
    await store.close()

The schema must exist first (:func:`bot.store.migrate.upgrade_database`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.contacts import ContactRepo
from bot.store.eligibility import EligibilityRepo
from bot.store.engine import make_engine
from bot.store.outbound import OutboundRepo
from bot.store.places import PlaceRepo
from bot.store.refs import random_code
from bot.store.reports import ReportRepo
from bot.store.subscriptions import SubscriptionRepo
from bot.store.triage import TriageRepo
from bot.store.users import UserRepo


class Tx:
    """The repositories of one open transaction. Do not keep it past the ``async with``."""

    __slots__ = (
        "contacts",
        "eligibility",
        "outbound",
        "places",
        "reports",
        "subscriptions",
        "triage",
        "users",
    )

    def __init__(self, session: AsyncSession, codes: Callable[[], str]) -> None:
        self.contacts = ContactRepo(session)
        self.reports = ReportRepo(session, codes)
        self.subscriptions = SubscriptionRepo(session)
        self.eligibility = EligibilityRepo(session)
        self.places = PlaceRepo(session)
        self.outbound = OutboundRepo(session)
        self.users = UserRepo(session)
        self.triage = TriageRepo(session)


class Store:
    """The application's SQL database (SQLite or PostgreSQL, by URL).

    ``codes`` draws the random part of report references; tests pass a scripted one to force
    collisions.
    """

    def __init__(self, url: str, *, codes: Callable[[], str] = random_code) -> None:
        self._engine = make_engine(url)
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        self._codes = codes

    @property
    def engine(self) -> AsyncEngine:
        """The underlying engine (health checks, tests)."""
        return self._engine

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """One database transaction: committed when the block ends normally, rolled back
        (nothing written, no reference code kept) when it raises."""
        async with self._sessions() as session, session.begin():
            yield Tx(session, self._codes)

    async def close(self) -> None:
        """Close every pooled connection; the store is unusable afterwards."""
        await self._engine.dispose()
