"""A resident's personal data (Decree 13/2023/NĐ-CP): what is held, erasure, retention.

- :meth:`PrivacyRepo.holdings`: what the bot holds about one contact (for "dữ liệu của tôi");
- :meth:`PrivacyRepo.erase`: their addresses, contact fields, subscriptions, eligibility
  answers and message texts go; a report an officer still needs (open) is kept without its
  personal fields (:func:`anonymise`), a closed one is deleted. The contact row stays as an
  empty shell (``erased_at``) the kept reports point to; the next message from any of the old
  addresses makes a new contact, who starts from the beginning;
- :meth:`PrivacyRepo.purge`: what outlived its retention (:class:`Cutoffs`).

Everything runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.contacts import ContactRepo
from bot.store.models import (
    ChannelStateRow,
    Contact,
    ContactUrn,
    EligibilityCheck,
    InboundMessageRow,
    OutboundMessage,
    Report,
    ReportEventRow,
    Subscription,
    WebUser,
)
from bot.store.records import OPEN_STATUSES, ContactRecord, NotFound

REDACTED = "[đã xoá]"  # what an officer reads where a resident's words were
REDACTED_URN = "redacted:"  # the address of an outbound row past its retention
RESIDENT = "resident"  # the actor of a resident's own steps in an anonymised report's history
# Report details an officer may still need that name nobody: the kind of harm, how many
# people, the household's class. Everything else (names, dates of birth, typed places,
# reasons in the resident's words) is removed; unknown keys too.
KEEP_DETAILS = frozenset({
    "hazard", "people", "vulnerable", "house_state", "stay", "danger_now", "urgency_reasons",
    "class", "class_other_area", "standard", "area", "area_confidence", "household_size",
    "deprived", "from_flow", "media_kinds",
})  # fmt: skip
PIN_DECIMALS = 2  # a kept report's map pin, rounded to about a kilometre: the area, not the house
CLOSED_OUTBOUND = ("sent", "delivered", "read", "failed", "unknown", "skipped")


@dataclass(frozen=True, slots=True)
class HeldReport:
    ref: str
    type: str
    status: str
    created_at: datetime
    anonymised: bool


@dataclass(frozen=True, slots=True)
class Holdings:
    """What the bot holds about one contact (counts and key fields, not a dump)."""

    contact: ContactRecord
    reports: tuple[HeldReport, ...]  # the newest first, at most ``limit``
    report_count: int
    household_size: int | None  # from the newest eligibility check
    household_class: str | None
    eligibility_count: int
    topics: tuple[str, ...]  # active subscriptions
    messages_kept: int  # inbound messages kept for officers
    consent_version: str | None  # the first-contact notice's text version, when it was shown
    consent_at: datetime | None


@dataclass(frozen=True, slots=True)
class Erasure:
    urns: tuple[str, ...]  # the addresses that no longer lead to this contact
    kept: tuple[str, ...]  # refs of open reports kept, anonymised
    deleted_reports: int


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """Records older than these are purged (None: kept)."""

    inbound_before: datetime | None = None  # inbound messages: deleted
    outbound_before: datetime | None = None  # outbound message texts: redacted
    closed_reports_before: datetime | None = None  # closed reports: anonymised


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    inbound_deleted: int = 0
    outbound_redacted: int = 0
    reports_anonymised: int = 0

    def as_json(self) -> dict[str, int]:
        return asdict(self)


class PrivacyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def holdings(self, contact_id: int, *, limit: int = 3) -> Holdings:
        """NotFound for an unknown contact."""
        contact = await ContactRepo(self._s).get(contact_id)
        row = await self._s.get(Contact, contact_id)
        if contact is None or row is None:
            raise NotFound(f"contact {contact_id}")
        rows = await self._s.scalars(
            select(Report)
            .where(Report.contact_id == contact_id)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(limit)
        )
        reports = tuple(
            HeldReport(r.ref, r.type, r.status, r.created_at, r.anonymised_at is not None)
            for r in rows
        )
        check = await self._s.scalar(
            select(EligibilityCheck)
            .where(EligibilityCheck.contact_id == contact_id)
            .order_by(EligibilityCheck.created_at.desc(), EligibilityCheck.id.desc())
            .limit(1)
        )
        topics = await self._s.scalars(
            select(Subscription.topic)
            .where(Subscription.contact_id == contact_id, Subscription.active.is_(True))
            .order_by(Subscription.topic)
        )
        return Holdings(
            contact=contact,
            reports=reports,
            report_count=await self._count(Report, contact_id),
            household_size=check.household_size if check else None,
            household_class=check.klass if check else None,
            eligibility_count=await self._count(EligibilityCheck, contact_id),
            topics=tuple(topics),
            messages_kept=await self._count(InboundMessageRow, contact_id),
            consent_version=row.consent_version,
            consent_at=row.consent_at,
        )

    async def erase(self, contact_id: int, *, now: datetime) -> Erasure:
        """Delete the contact's personal data (see the module docstring); NotFound if unknown."""
        contact = await self._s.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"contact {contact_id}")
        urns = tuple(
            await self._s.scalars(select(ContactUrn.urn).where(ContactUrn.contact_id == contact_id))
        )
        reports = list(await self._s.scalars(select(Report).where(Report.contact_id == contact_id)))
        kept = [r for r in reports if r.status in OPEN_STATUSES]
        for report in kept:
            if report.anonymised_at is None:
                await anonymise(self._s, report, now)
        closed = [r.id for r in reports if r.status not in OPEN_STATUSES]
        if closed:
            await self._s.execute(
                delete(ReportEventRow).where(ReportEventRow.report_id.in_(closed))
            )
            await self._s.execute(delete(Report).where(Report.id.in_(closed)))
        for model in (ContactUrn, Subscription, EligibilityCheck, InboundMessageRow):
            await self._s.execute(delete(model).where(model.contact_id == contact_id))
        await self._redact_outbound(
            OutboundMessage.contact_id == contact_id, f"erased:{contact_id}", stop_queued=True
        )
        await self._s.execute(
            update(WebUser).where(WebUser.contact_id == contact_id).values(contact_id=None)
        )
        contact.name = contact.village_id = None
        contact.role, contact.role_commune, contact.role_village = "resident", None, None
        contact.notice_seen_at = contact.consent_at = None
        contact.consent_version = None
        contact.talking_ref, contact.talking_until = None, None
        contact.stopped = True  # no address anyway; no notice is planned for a shell
        contact.erased_at = contact.updated_at = now
        await self._s.flush()
        return Erasure(urns, tuple(sorted(r.ref for r in kept)), len(closed))

    async def forget_state(self, keys: Sequence[str]) -> int:
        """Delete channel state rows kept per address (a Zalo reply window); how many went."""
        if not keys:
            return 0
        gone = await self._count_where(ChannelStateRow, ChannelStateRow.key.in_(keys))
        await self._s.execute(delete(ChannelStateRow).where(ChannelStateRow.key.in_(keys)))
        return gone

    async def purge(self, cutoffs: Cutoffs, *, dry_run: bool = False) -> PurgeCounts:
        """Delete or redact what is older than ``cutoffs``; ``dry_run``: only count."""
        inbound = outbound = anonymised = 0
        if cutoffs.inbound_before is not None:
            old_in = InboundMessageRow.at < cutoffs.inbound_before
            inbound = await self._count_where(InboundMessageRow, old_in)
            if not dry_run and inbound:
                await self._s.execute(delete(InboundMessageRow).where(old_in))
        if cutoffs.outbound_before is not None:
            old_out = (
                (OutboundMessage.created_at < cutoffs.outbound_before)
                & OutboundMessage.status.in_(CLOSED_OUTBOUND)
                & (OutboundMessage.text != REDACTED)
            )
            outbound = await self._count_where(OutboundMessage, old_out)
            if not dry_run and outbound:
                await self._redact_outbound(old_out, REDACTED_URN)
        if cutoffs.closed_reports_before is not None:
            old_reports = (
                Report.status.not_in(OPEN_STATUSES)
                & Report.anonymised_at.is_(None)
                & (
                    func.coalesce(Report.closed_at, Report.updated_at)
                    < cutoffs.closed_reports_before
                )
            )
            rows = list(await self._s.scalars(select(Report).where(old_reports)))
            anonymised = len(rows)
            if not dry_run:
                for report in rows:
                    await anonymise(self._s, report, cutoffs.closed_reports_before)
        if not dry_run:
            await self._s.flush()
        return PurgeCounts(inbound, outbound, anonymised)

    async def _redact_outbound(self, where: Any, urn: str, *, stop_queued: bool = False) -> None:
        """Texts, buttons, provider metadata and the address go (the row stays: notices'
        progress and costs are counted from rows); ``stop_queued``: a message still waiting
        is not sent (an erased person's status or officer's reply)."""
        if stop_queued:
            await self._s.execute(
                update(OutboundMessage)
                .where(where, OutboundMessage.status == "queued")
                .values(status="skipped", error_kind="erased")
                .execution_options(synchronize_session=False)
            )
        await self._s.execute(
            update(OutboundMessage)
            .where(where)
            .values(text=REDACTED, buttons=[], meta={}, urn=urn)
            .execution_options(synchronize_session=False)
        )

    async def _count(self, model: Any, contact_id: int) -> int:
        return await self._count_where(model, model.contact_id == contact_id)

    async def _count_where(self, model: Any, where: Any) -> int:
        return int(await self._s.scalar(select(func.count()).select_from(model).where(where)) or 0)


async def anonymise(session: AsyncSession, report: Report, now: datetime) -> None:
    """Keep the report's kind, place, urgency and status; remove what names or shows the
    person: free-text details, photos and voice notes, the exact pin, their own words in the
    history (an officer's notes stay: they are the officer's record)."""
    report.details = {k: v for k, v in (report.details or {}).items() if k in KEEP_DETAILS}
    report.photos = []
    if report.lat is not None and report.lon is not None:
        report.lat, report.lon = round(report.lat, PIN_DECIMALS), round(report.lon, PIN_DECIMALS)
    report.anonymised_at = now
    # the resident's own steps carry their address as actor (the report's creation, what they
    # wrote back to an officer); officers are ``user:``/``contact:``, alerts ``system``
    theirs = (
        (ReportEventRow.report_id == report.id)
        & ReportEventRow.actor.not_like("user:%")
        & ReportEventRow.actor.not_like("contact:%")
        & (ReportEventRow.actor != "system")
    )
    for values in ({"note": REDACTED}, {"actor": RESIDENT, "detail": None}):
        where = theirs & ReportEventRow.note.is_not(None) if "note" in values else theirs
        await session.execute(
            update(ReportEventRow)
            .where(where)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
