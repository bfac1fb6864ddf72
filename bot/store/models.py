"""SQLAlchemy 2 typed declarative models, portable between SQLite and PostgreSQL.

Schemas are only ever created by the Alembic migrations in ``migrations/``; a test checks this
metadata and the migrations agree. Places referenced from contacts, reports and eligibility
checks (``village_id``, ``commune_code``) are plain strings, not foreign keys: the gazetteer is
reloaded and corrected by officers and must never block saving a resident's report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.store.records import (
    JOB_STATUSES,
    NOTICE_STATUSES,
    OUTBOUND_KINDS,
    OUTBOUND_STATUSES,
    PRIORITIES,
    REPORT_EVENT_KINDS,
    REPORT_STATUSES,
    REPORT_TYPES,
    ROLES,
    TOPICS,
    WEB_ROLES,
)
from bot.store.types import UtcDateTime, utcnow

# Deterministic constraint names so later migrations can address them on both backends.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# open bulk rows (queued, or sending: maybe lost); the pumps claim these by adapter and id
OPEN_BULK = "priority = 'bulk' AND status IN ('queued', 'sending')"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(16), default="resident")
    # Where the role applies: an officer's commune, a head's village (granted by code).
    role_commune: Mapped[str | None] = mapped_column(String(16))
    role_village: Mapped[str | None] = mapped_column(String(128))
    village_id: Mapped[str | None] = mapped_column(String(128), index=True)
    notice_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(String(200))
    # An officer is talking with this person about a report: their messages go to the report
    # (and the officer), not to the bot's journeys, until then.
    talking_ref: Mapped[str | None] = mapped_column(String(16))
    talking_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The first-contact notice (with its consent line) as shown: its text version and when;
    # recorded once. ``erased_at``: the person had their data deleted (the row is an empty
    # shell that anonymised reports still point to; their addresses are gone).
    consent_version: Mapped[str | None] = mapped_column(String(32))
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ContactUrn(Base):
    """One address of a contact. ``scheme`` is the URN's (telegram, zalo, zalobot, tel, sim);
    ``adapter`` the one that last carried a message from it (None for a phone only shared);
    ``rendering`` how the simulator last showed it (real adapters render one way)."""

    __tablename__ = "contact_urns"

    urn: Mapped[str] = mapped_column(String(255), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    adapter: Mapped[str | None] = mapped_column(String(32))
    rendering: Mapped[str | None] = mapped_column(String(16))
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CommuneRow(Base):
    __tablename__ = "communes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    province: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(8))
    area_type: Mapped[str] = mapped_column(String(16))
    area_confidence: Mapped[str] = mapped_column(String(16))


class VillageRow(Base):
    __tablename__ = "villages"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    village_type: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Optional position for the workspace map (the seed has none; officers may add them).
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)


class CommunePredecessor(Base):
    __tablename__ = "commune_predecessors"
    __table_args__ = (UniqueConstraint("former_name", "former_district", "commune_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    former_name: Mapped[str] = mapped_column(String(200))
    former_district: Mapped[str] = mapped_column(String(200))
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(_one_of("type", REPORT_TYPES), name="type"),
        CheckConstraint(_one_of("status", REPORT_STATUSES), name="status"),
        Index("ix_reports_contact_id_created_at", "contact_id", "created_at"),
        Index("ix_reports_commune_code_status", "commune_code", "status"),
        Index("ix_reports_status_created_at", "status", "created_at"),
        # The workspace queue's order within a commune, so a page reads ~50 index entries
        # instead of sorting the commune (bench/queue_page.py). PostgreSQL only: the embedded
        # SQLite store serves one commune and refuses NULLS LAST in an index.
        Index(
            "ix_reports_queue",
            "commune_code",
            text("flagged DESC"),
            text("urgency DESC NULLS LAST"),
            "created_at",
            "id",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    type: Mapped[str] = mapped_column(String(32))
    subtype: Mapped[str | None] = mapped_column(String(64))
    village_id: Mapped[str | None] = mapped_column(String(128))
    commune_code: Mapped[str | None] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    photos: Mapped[list[str]] = mapped_column(JSON)
    urgency: Mapped[int | None] = mapped_column(Integer)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="new")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # Triage (workspace): who holds it, when it was first acknowledged and by whom, when it
    # was resolved or rejected (cleared again if reopened).
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("web_users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # personal fields removed (the resident asked, or a closed report outlived its retention)
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReportEventRow(Base):
    __tablename__ = "report_events"
    __table_args__ = (
        CheckConstraint(_one_of("status", REPORT_STATUSES), name="status"),
        CheckConstraint(_one_of("kind", REPORT_EVENT_KINDS), name="kind"),
        Index("ix_report_events_report_id_at", "report_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16), default="status")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("contact_id", "topic"),
        CheckConstraint(_one_of("topic", TOPICS), name="topic"),
        Index("ix_subscriptions_topic_active", "topic", "active"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class EligibilityCheck(Base):
    __tablename__ = "eligibility_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    standard: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(String(16))
    income: Mapped[int] = mapped_column(BigInteger)
    household_size: Mapped[int | None] = mapped_column(Integer)
    deprived: Mapped[list[str]] = mapped_column(JSON)
    klass: Mapped[str] = mapped_column(String(32))
    village_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class OutboundMessage(Base):
    """One message the bot sent (or will, or tried to) through an adapter, with its fate.

    The row holds everything needed to send it again after a crash: adapter, address,
    rendering, text, buttons, the adapter's metadata (e.g. Telegram reply markup).
    """

    __tablename__ = "outbound_messages"
    __table_args__ = (
        CheckConstraint(_one_of("status", OUTBOUND_STATUSES), name="status"),
        CheckConstraint(_one_of("priority", PRIORITIES), name="priority"),
        CheckConstraint(_one_of("kind", OUTBOUND_KINDS), name="kind"),
        Index("ix_outbound_messages_adapter_external_id", "adapter", "external_id"),
        Index("ix_outbound_messages_status_updated_at", "status", "updated_at"),
        Index("ix_outbound_messages_urn_id", "urn", "id"),
        Index("ix_outbound_messages_notice_id_status", "notice_id", "status"),
        Index(  # the pumps' claims: an adapter's open bulk rows in order
            "ix_outbound_messages_open_bulk",
            "adapter",
            "id",
            postgresql_where=text(OPEN_BULK),
            sqlite_where=text(OPEN_BULK),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    adapter: Mapped[str] = mapped_column(String(32))
    urn: Mapped[str] = mapped_column(String(255))
    rendering: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="reply")
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(JSON)
    request: Mapped[str | None] = mapped_column(String(16))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime)
    external_id: Mapped[str | None] = mapped_column(String(128))
    error_kind: Mapped[str | None] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(64))
    segments: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    priority: Mapped[str] = mapped_column(String(8), default="reply")
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    # set when the provider call starts; a sender that dies then may have sent it
    in_flight_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    maybe_twice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class NoticeRow(Base):
    """A notice a village head, an officer or an admin sends to villages: one outbound
    message per (notice, recipient), keyed ``notice:<id>:<contact>:<part>`` (sent once)."""

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint(_one_of("status", NOTICE_STATUSES), name="status"),
        CheckConstraint(_one_of("topic", TOPICS), name="topic"),
        Index("ix_notices_status_send_at", "status", "send_at"),
        Index("ix_notices_commune_code_created_at", "commune_code", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender: Mapped[str] = mapped_column(String(128))  # contact:12 / user:3
    sender_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    sender_role: Mapped[str] = mapped_column(String(16))
    commune_code: Mapped[str | None] = mapped_column(String(16))
    village_ids: Mapped[list[str]] = mapped_column(JSON)  # empty: the whole commune / all
    topic: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    ask_safety: Mapped[bool] = mapped_column(Boolean, default=False)
    unaccented: Mapped[bool] = mapped_column(Boolean, default=False)
    send_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    planned: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ChannelStateRow(Base):
    """Durable per-channel key-value with a version for compare-and-set (Zalo tokens)."""

    __tablename__ = "channel_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class WebUser(Base):
    """A workspace login (officer, admin, village head). Residents never have one."""

    __tablename__ = "web_users"
    __table_args__ = (CheckConstraint(_one_of("role", WEB_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    commune_code: Mapped[str | None] = mapped_column(String(16))
    village_id: Mapped[str | None] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(200))
    # the officer's own chat contact (linked by a role code from the workspace): alerts
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebSession(Base):
    """A logged-in browser or API client. Only the SHA-256 of the token is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class LoginThrottle(Base):
    """Failed logins per key (``user:<name>`` whether or not it exists, ``ip:<addr>``)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class JobRow(Base):
    """Work that runs after the transaction that asked for it commits (an alert, a fan-out).

    Written inside that transaction, so it survives a crash; the queue runs it after commit
    and the sweeper re-queues what a crash left ``pending``. ``key`` makes it idempotent.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_one_of("status", JOB_STATUSES), name="status"),
        CheckConstraint(_one_of("lane", PRIORITIES), name="lane"),
        Index("ix_jobs_status_run_at", "status", "run_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    lane: Mapped[str] = mapped_column(String(8), default="reply")
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    run_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class RoleCodeRow(Base):
    """A one-time code that grants a role (head of a village, officer of a commune, admin).

    Only the SHA-256 of the code is stored; the code itself is shown once, to its issuer.
    """

    __tablename__ = "role_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    commune_code: Mapped[str | None] = mapped_column(String(16))
    village_id: Mapped[str | None] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(Integer)  # a workspace account to link
    issued_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))


class AuditEventRow(Base):
    """Who did what, when, from where: logins, role grants and refusals, report changes."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_target_at", "target", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))


class InboundMessageRow(Base):
    """A message a contact sent while a journey or an officer conversation was open.

    Greetings and menu browsing are not kept (no write for them); what produced a report is.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_messages_contact_id_at", "contact_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    adapter: Mapped[str] = mapped_column(String(32))
    urn: Mapped[str] = mapped_column(String(255))
    external_id: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    button: Mapped[str | None] = mapped_column(String(64))
    media: Mapped[list[str]] = mapped_column(JSON)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
