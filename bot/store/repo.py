"""The SQL store: one engine, and transactions that hand out repositories.

Usage::

    store = Store(settings.database_url)
    async with store.transaction() as tx:
        contact = await tx.contacts.get_or_create("telegram:123", "telegram", "vi")
        report = await tx.reports.create(contact_id=contact.id, type="disaster", ...)
    # committed here; only now may the bot tell the resident report.ref
    await store.close()

The schema must exist first (:func:`bot.store.migrate.upgrade_database`).

Work after commit (mailroom's hooks): a repository that creates something to be done later
(an outbound message to send, a job to run) appends a :class:`Work` to ``tx.work``. When the
transaction has committed, the store hands the list to its ``on_commit`` hook (the queue). If
the process dies in between, the rows are in the database and the sweeper queues them: work is
never lost, and never runs for a transaction that rolled back.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.audit import AuditRepo
from bot.store.contacts import ContactRepo, UrnLookup
from bot.store.eligibility import EligibilityRepo
from bot.store.engine import (
    ONE_STATEMENT,
    POOL_SIZE,
    READ_ONLY,
    SQLITE_BUSY_TIMEOUT,
    is_sqlite,
    make_engine,
    sqlite_path,
)
from bot.store.jobs import JobRepo
from bot.store.messages import MessageRepo
from bot.store.notices import NoticeRepo
from bot.store.outbound import OutboundRepo
from bot.store.places import PlaceRepo
from bot.store.privacy import PrivacyRepo
from bot.store.records import ContactRecord
from bot.store.refs import random_code
from bot.store.reports import ReportRepo
from bot.store.role_codes import RoleCodeRepo
from bot.store.subscriptions import SubscriptionRepo
from bot.store.triage import TriageRepo
from bot.store.users import UserRepo
from bot.store.work import Work

log = logging.getLogger(__name__)
# Seconds a read on the event loop's thread may wait for a busy SQLite file before it is read
# through the pool instead (the loop must not stall).
HERE_BUSY_TIMEOUT = 0.05
OnCommit = Callable[[Sequence[Work]], Awaitable[None]]


class Tx:
    """The repositories of one open transaction. Do not keep it past the ``async with``.

    ``work`` collects what must run once the transaction commits (see the module docstring).
    """

    __slots__ = (
        "audit",
        "contacts",
        "eligibility",
        "jobs",
        "messages",
        "notices",
        "outbound",
        "places",
        "privacy",
        "reports",
        "role_codes",
        "session",
        "subscriptions",
        "triage",
        "users",
        "work",
    )

    def __init__(self, session: AsyncSession, codes: Callable[[], str]) -> None:
        self.session = session  # for repositories added by later modules (workspace)
        self.work: list[Work] = []
        self.contacts = ContactRepo(session)
        self.reports = ReportRepo(session, codes)
        self.subscriptions = SubscriptionRepo(session)
        self.eligibility = EligibilityRepo(session)
        self.places = PlaceRepo(session)
        self.outbound = OutboundRepo(session, self.work)
        self.jobs = JobRepo(session, self.work)
        self.audit = AuditRepo(session)
        self.role_codes = RoleCodeRepo(session)
        self.messages = MessageRepo(session)
        self.notices = NoticeRepo(session)
        self.users = UserRepo(session)
        self.triage = TriageRepo(session)
        self.privacy = PrivacyRepo(session)


class Store:
    """The application's SQL database (SQLite or PostgreSQL, by URL).

    ``codes`` draws the random part of report references; tests pass a scripted one to force
    collisions.

    On SQLite the writers of this process take turns on an asyncio lock before ``BEGIN
    IMMEDIATE``: SQLite itself would let them poll its busy handler, which sleeps 1, 2, 5 …
    up to 100 ms between tries, so under load a writer slept long after the lock was free
    (p99 over a second; ``docs/benchmarks.md``). The busy timeout still covers other processes
    (the CLI). Never open :meth:`transaction` inside another one in the same task: the inner
    would wait for the outer (``TimeoutError`` after the busy timeout); :meth:`read` is fine.
    """

    def __init__(
        self, url: str, *, codes: Callable[[], str] = random_code, pool_size: int = POOL_SIZE
    ) -> None:
        self._engine = make_engine(url, pool_size=pool_size)
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        self._codes = codes
        self._on_commit: OnCommit | None = None
        self._writers = asyncio.Lock() if is_sqlite(url) else None
        # a SQLite file is read on the event loop's own thread where a message only reads
        # (contact_by_urn); None: PostgreSQL or a memory database (no second connection)
        self._here_path = sqlite_path(url)
        self._here: tuple[sqlite3.Connection, UrnLookup] | None = None

    def on_commit(self, hook: OnCommit | None) -> None:
        """Hand every committed transaction's work to ``hook`` (the job queue)."""
        self._on_commit = hook

    @property
    def engine(self) -> AsyncEngine:
        """The underlying engine (health checks, tests)."""
        return self._engine

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """One database transaction: committed when the block ends normally, rolled back
        (nothing written, no reference code kept) when it raises."""
        async with self._writer(), self._sessions() as session, session.begin():
            tx = Tx(session, self._codes)
            yield tx
        if tx.work and self._on_commit is not None:
            try:
                await self._on_commit(tuple(tx.work))
            except Exception:  # committed: the sweeper queues it if this fails
                log.exception("queueing %d item(s) of committed work failed", len(tx.work))

    @asynccontextmanager
    async def _writer(self) -> AsyncIterator[None]:
        """This process's turn to write (SQLite); nothing to wait for on PostgreSQL."""
        if self._writers is None:
            yield
            return
        async with asyncio.timeout(SQLITE_BUSY_TIMEOUT):
            await self._writers.acquire()
        try:
            yield
        finally:
            self._writers.release()

    @asynccontextmanager
    async def read(self, *, one_statement: bool = False) -> AsyncIterator[Tx]:
        """A transaction that only reads: on SQLite it takes no write lock, so it neither
        waits for a writer nor blocks one (safe to open while another transaction of this
        process is writing). Writing through it is a bug (SQLite may then refuse).

        ``one_statement``: the block runs a single query (which sees one snapshot by
        itself), so SQLite skips ``BEGIN``: each message's contact read is three thread
        hand-offs shorter (``docs/benchmarks.md``). Two queries would see two snapshots."""
        mode = ONE_STATEMENT if one_statement else True
        async with self._sessions() as session:
            await session.connection(execution_options={READ_ONLY: mode})  # begins: BEGIN
            try:
                yield Tx(session, self._codes)
            finally:
                await session.rollback()

    async def contact_by_urn(self, urn: str) -> ContactRecord | None:
        """The contact holding ``urn``, read without a transaction (the first look at every
        message, a greeting's only SQL).

        On a SQLite file it is read on the calling thread, the event loop's: one indexed
        query on a WAL file takes tens of microseconds, while each statement through
        aiosqlite is several hand-offs to its thread and back, and under load each hand-off
        waits for the GIL (``docs/benchmarks.md``). A WAL reader never waits for a writer;
        should the file be busy anyway (a checkpoint restarting the log), it is read the
        usual way. PostgreSQL: the usual way."""
        if self._here_path is not None:
            try:
                return self._contact_here(self._here_path, urn)
            except sqlite3.OperationalError:
                log.info("contact read on the loop thread refused; reading through the pool")
        async with self.read(one_statement=True) as tx:
            return await tx.contacts.by_urn(urn)

    def _contact_here(self, path: Path, urn: str) -> ContactRecord | None:
        if self._here is None:
            # autocommit (no BEGIN): each SELECT reads its own snapshot and keeps no lock
            conn = sqlite3.connect(
                path, timeout=HERE_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            self._here = conn, UrnLookup(self._engine.dialect)
        conn, lookup = self._here
        found = lookup.records(conn.execute(lookup.sql, (urn,)).fetchall())
        return found[0] if found else None

    async def close(self) -> None:
        """Close every pooled connection; the store is unusable afterwards."""
        if self._here is not None:
            self._here[0].close()
            self._here = None
        await self._engine.dispose()
