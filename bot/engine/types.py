"""The engine's contract with the pipeline.

``Engine.step(session, Input) -> Turn`` is pure: no I/O, no clock, no randomness. When a flow
needs the outside world (save a report, look up a status), the Turn carries one
:class:`ActionRequest`; the pipeline runs it inside the open SQL transaction and calls
``Engine.resume(session, result, Input)``, looping until no action is pending. Replies are
sent only after the transaction commits, so a reference code is never shown for a report
that was not saved.

Actions the pipeline implements (name -> args -> result):

- ``contact.update``  ``{"notice_seen"?: bool, "village_id"?: str, "language"?: str,
  "consent_version"?: str}`` -> ``{}`` (the consent is recorded once, with the time)
- ``report.submit``   ``{"type": "eligibility_request"|"household_change"|"disaster"|"handover",
  "subtype": str|None, "village_id": str|None, "commune_code": str|None, "details": {...},
  "location": {"lat", "lon"}|None, "photos": [str], "danger_now": bool|None}``
  -> ``{"ref": str, "urgency": int|None, "flagged": bool, "alerted": bool}`` (``alerted``: the
  officers' alert was asked for and someone — an officer of the commune or an admin — has a
  phone linked to get it)
- ``report.update``   ``{"ref": str, "subtype"?: str|None, "details": {...}, "location"?:
  {"lat", "lon"}, "photos"?: [str]}`` -> ``{"ref", "urgency": int|None, "flagged": bool}``:
  adds later answers to a report this contact filed (the disaster journey files as soon as the
  place is known); details merge over the stored ones (None never erases), photos and other
  media refs (``"voice:..."``) are appended, a disaster is scored again and its flag only ever
  turns on
- ``eligibility.save`` ``{"area", "income", "household_size": int|None, "deprived": [str],
  "class", "standard", "village_id"}`` -> ``{"id": int}``
- ``report.find``     ``{"ref": str}`` -> ``{"found": bool, "ref", "type", "subtype", "status",
  "created_at": iso, "updated_at": iso}`` (only the contact's own reports are found)
- ``report.latest``   ``{"limit": int}`` -> ``{"reports": [{"ref", "type", "subtype", "status",
  "created_at"}]}``
- ``subscription.set`` ``{"topics": [str], "on": bool}`` -> ``{"topics": [str]}`` (now active)
- ``report.answer``   ``{"ref": str, "text": str, "media": [str]}`` -> ``{"forwarded": bool}``
  (the resident writes back while an officer talks with them about report ``ref``)
- ``privacy.summary`` ``{"limit"?: int}`` -> ``{"addresses": [str] (the writer's own first, the
  others masked), "name", "village", "household_size", "household_class", "checks": int,
  "reports": [{"ref", "type", "status", "created_at", "anonymised"}], "report_count": int,
  "topics": [str], "stopped": bool, "consent_version", "consent_at", "messages": int}``
- ``privacy.erase``   ``{}`` -> ``{"erased": true, "urns": [str], "kept": [ref],
  "deleted_reports": int}``: the pipeline then forgets the conversations of ``urns``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.json import JSON as JSON
from bot.domain.messages import Location, Reply
from bot.ports import PlaceLookup, PolicyService


@dataclass(frozen=True, slots=True)
class EngineServices:
    """What the engine may consult (in memory, no I/O)."""

    places: PlaceLookup
    policy: PolicyService
    flow_timeout_seconds: int = 1800


@dataclass(frozen=True, slots=True)
class ContactInfo:
    """What the engine may know about who is writing (loaded by the pipeline)."""

    id: int | None
    address: str
    rendering: str  # how replies look: "telegram" | "zalo" | "sms"
    language: str = "vi"
    village_id: str | None = None
    notice_seen: bool = False
    role: str = "resident"
    role_commune: str | None = None  # an officer's commune
    role_village: str | None = None  # a head's village
    talking_ref: str | None = None  # an officer is talking with this person about a report


@dataclass(frozen=True, slots=True)
class Input:
    """One user turn. ``nlu`` is set by the pipeline when ``Engine.wants_nlu`` said so."""

    now: datetime
    contact: ContactInfo
    text: str = ""
    button: str | None = None
    location: Location | None = None
    media: tuple[str, ...] = ()
    nlu: JSON | None = None


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """A side effect the flow needs before it can go on."""

    name: str
    args: JSON


@dataclass(slots=True)
class Turn:
    """What one step produced: the new session JSON, replies so far, and a pending action."""

    session: JSON
    replies: list[Reply] = field(default_factory=list)
    action: ActionRequest | None = None
    events: list[JSON] = field(default_factory=list)  # for logs and metrics only
