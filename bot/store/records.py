"""What the store hands out: plain frozen dataclasses, never ORM objects.

Callers may keep these across transactions and pass them to the engine; nothing lazy-loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from bot.domain.roles import ROLES as _ROLES

Role = Literal["resident", "head", "officer", "admin"]
ReportType = Literal["eligibility_request", "household_change", "disaster", "handover"]
ReportStatus = Literal["new", "acknowledged", "in_progress", "resolved", "rejected"]
Topic = Literal["loans", "disaster_warnings", "village_notices"]

ROLES: Final = _ROLES  # least to most trusted (bot.domain.roles)
REPORT_TYPES: Final = ("eligibility_request", "household_change", "disaster", "handover")
REPORT_STATUSES: Final = ("new", "acknowledged", "in_progress", "resolved", "rejected")
OPEN_STATUSES: Final = ("new", "acknowledged", "in_progress")
REPORT_EVENT_KINDS: Final = ("status", "assign", "note", "reply", "alert", "answer")
WEB_ROLES: Final = ("officer", "admin", "head")
TOPICS: Final = ("loans", "disaster_warnings", "village_notices")
# queued -> sending -> sent -> delivered -> read; failed / unknown / skipped are terminal.
OUTBOUND_STATUSES: Final = (
    "queued", "sending", "sent", "delivered", "read", "failed", "unknown", "skipped",
)  # fmt: skip
PRIORITIES: Final = ("reply", "bulk")  # the lane: replies are never starved by bulk
# Why a message was sent: a direct reply, or a message the bot started itself.
OUTBOUND_KINDS: Final = ("reply", "alert", "status", "officer_reply", "notice", "system")
JOB_STATUSES: Final = ("pending", "running", "done", "failed")
# scheduled -> planning -> sending -> done; cancelled before it went out
NOTICE_STATUSES: Final = ("scheduled", "planning", "sending", "done", "cancelled")


class NotFound(LookupError):
    """The row asked for does not exist (e.g. an unknown report reference)."""


@dataclass(frozen=True, slots=True)
class Address:
    """One URN of a contact: its ``scheme``, the ``adapter`` that last carried a message from
    it (None for a phone number only shared), how the simulator rendered it, when last seen."""

    urn: str
    scheme: str
    adapter: str | None = None
    rendering: str | None = None
    last_seen_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A person, whichever channels they write from; ``urns`` sorted, e.g. ``("tel:+84…",)``."""

    id: int
    language: str
    role: str
    village_id: str | None
    notice_seen: bool
    stopped: bool
    urns: tuple[str, ...]
    name: str | None = None
    role_commune: str | None = None  # an officer's commune
    role_village: str | None = None  # a head's village
    addresses: tuple[Address, ...] = ()  # the same URNs with what reaches them
    talking_ref: str | None = None  # an officer's conversation about this report is open
    talking_until: datetime | None = None

    def address(self, urn: str) -> Address | None:
        return next((a for a in self.addresses if a.urn == urn), None)


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """A saved report; ``ref`` is the code the resident is told (``TT-7K3Q9M``)."""

    id: int
    ref: str
    contact_id: int
    type: str
    subtype: str | None
    village_id: str | None
    commune_code: str | None
    details: dict[str, Any]
    lat: float | None
    lon: float | None
    photos: tuple[str, ...]
    urgency: int | None
    flagged: bool
    status: str
    created_at: datetime
    updated_at: datetime
    assigned_to: int | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    closed_at: datetime | None = None
    anonymised_at: datetime | None = None  # personal fields removed (bot.store.privacy)


@dataclass(frozen=True, slots=True)
class ReportEvent:
    """One step of a report's history; ``actor`` says who (``"contact:12"``, ``"user:3"``).

    ``kind`` is ``status`` (a status change: ``status`` is the new one), ``assign``, ``note``
    (internal, never shown to the resident) or ``reply`` (text sent to the resident); for the
    other kinds ``status`` is the report's status at that moment. ``detail`` holds what the
    kind needs (``{"assigned_to": 3}``, ``{"sent": true}``).
    """

    status: str
    note: str | None
    actor: str
    at: datetime
    kind: str = "status"
    detail: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class WebUserRecord:
    """A person who logs in to the workspace (never a resident): no password hash in here.

    ``officer`` is bound to ``commune_code``; ``head`` to ``village_id`` (and its commune);
    ``admin`` to nothing (sees every commune, including reports with no commune).
    """

    id: int
    username: str
    role: str
    commune_code: str | None
    village_id: str | None
    display_name: str | None
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None
    contact_id: int | None = None  # their own chat contact (alerts reach them there)


@dataclass(frozen=True, slots=True)
class OutboundRecord:
    """A message the bot sent, will send or tried to; ``status`` only ever moves forward.

    Everything needed to send it again is here: ``adapter`` carries it to ``urn``, rendered as
    ``rendering`` (telegram / zalo / sms); ``buttons`` are ``(title, payload)`` pairs and
    ``meta`` the adapter's extras (Telegram reply markup, SMS segments and encoding).
    """

    id: int
    contact_id: int | None
    adapter: str
    urn: str
    rendering: str
    kind: str
    text: str
    buttons: tuple[tuple[str, str], ...]
    request: str | None
    meta: dict[str, Any]
    status: str
    external_id: str | None
    error_kind: str | None
    error_code: str | None
    segments: int | None
    attempts: int
    priority: str
    idempotency_key: str | None
    not_before: datetime | None
    created_at: datetime
    updated_at: datetime
    notice_id: int | None = None
    maybe_twice: bool = False  # taken again from a sender that died with it in flight


@dataclass(frozen=True, slots=True)
class JobRecord:
    """Work that runs after commit (see :class:`bot.store.models.JobRow`)."""

    id: int
    kind: str
    args: dict[str, Any]
    lane: str
    key: str | None
    run_at: datetime
    status: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class RoleCodeRecord:
    """A one-time role code as stored (never the code itself)."""

    id: int
    role: str
    commune_code: str | None
    village_id: str | None
    user_id: int | None
    issued_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One line of the audit log."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]
    ip: str | None


@dataclass(frozen=True, slots=True)
class LoggedMessage:
    """One message of a conversation as an officer reads it: ``direction`` "in" (from the
    contact) or "out" (from the bot or an officer, ``kind`` says which)."""

    direction: Literal["in", "out"]
    text: str
    at: datetime
    adapter: str
    kind: str
    media: tuple[str, ...] = ()
    button: str | None = None
    status: str | None = None
