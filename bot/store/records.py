"""What the store hands out: plain frozen dataclasses, never ORM objects.

Callers may keep these across transactions and pass them to the engine; nothing lazy-loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

Role = Literal["resident", "village_head", "officer", "admin"]
ReportType = Literal["eligibility_request", "household_change", "disaster", "handover"]
ReportStatus = Literal["new", "acknowledged", "in_progress", "resolved", "rejected"]
Topic = Literal["loans", "disaster_warnings", "village_notices"]

ROLES: Final = ("resident", "village_head", "officer", "admin")
REPORT_TYPES: Final = ("eligibility_request", "household_change", "disaster", "handover")
REPORT_STATUSES: Final = ("new", "acknowledged", "in_progress", "resolved", "rejected")
OPEN_STATUSES: Final = ("new", "acknowledged", "in_progress")
REPORT_EVENT_KINDS: Final = ("status", "assign", "note", "reply")
WEB_ROLES: Final = ("officer", "admin", "head")
TOPICS: Final = ("loans", "disaster_warnings", "village_notices")
OUTBOUND_STATUSES: Final = ("queued", "sent", "delivered", "failed", "read")
PRIORITIES: Final = ("reply", "bulk")


class NotFound(LookupError):
    """The row asked for does not exist (e.g. an unknown report reference)."""


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


@dataclass(frozen=True, slots=True)
class OutboundRecord:
    """A sent (or queued, or failed) message; ``status`` only ever moves forward."""

    id: int
    contact_id: int | None
    channel: str
    urn: str
    text: str
    status: str
    external_id: str | None
    error_kind: str | None
    error_code: str | None
    segments: int | None
    attempts: int
    priority: str
    created_at: datetime
    updated_at: datetime
