"""Runs the engine's ActionRequests against the store, inside the turn's transaction.

The names, arguments and results are the contract in :mod:`bot.engine.types`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot import metrics
from bot.domain.json import JSON
from bot.domain.roles import outranks
from bot.engine.types import ActionRequest, ContactInfo
from bot.flood import TooManyReports
from bot.notices.chat import NoticeActions
from bot.notices.service import Notices
from bot.ports import PlaceLookup
from bot.privacy.chat import PrivacyActions
from bot.reports.alerts import has_listeners, request_alert
from bot.reports.officer_chat import OfficerActions
from bot.reports.urgency import UrgencyRules, score_disaster
from bot.store.repo import Tx
from bot.store.types import utcnow

log = logging.getLogger(__name__)
MAX_CODE_TRIES = 5  # wrong role codes a contact may send ...
CODE_TRY_WINDOW = timedelta(hours=1)  # ... within this time

Handler = Callable[[Tx, ContactInfo, JSON], Awaitable[JSON]]


class UnknownAction(ValueError):
    """The flow asked for an action nobody implements (a bug in a flow file)."""


class ActionExecutor:
    """Maps action names to small handlers; each returns the JSON result for the flow."""

    def __init__(
        self,
        *,
        places: PlaceLookup,
        urgency_rules: UrgencyRules,
        reports_per_hour: int | None = None,
    ) -> None:
        self._places = places
        self._urgency = urgency_rules
        self._reports_per_hour = reports_per_hour  # None: no cap (tests of single flows)
        self._handlers: dict[str, Handler] = {
            "contact.update": self._contact_update,
            "report.submit": self._report_submit,
            "report.update": self._report_update,
            "eligibility.save": self._eligibility_save,
            "report.find": self._report_find,
            "report.latest": self._report_latest,
            "subscription.set": self._subscription_set,
            "role.redeem": self._role_redeem,
        }
        privacy = PrivacyActions(places)
        self._handlers.update({"privacy.summary": privacy.summary, "privacy.erase": privacy.erase})

    def bind_notices(self, notices: Notices) -> None:
        """Heads and officers send notices from chat; residents answer a warning."""
        chat = NoticeActions(notices, self._places)
        self._handlers.update(
            {
                "notice.preview": chat.preview,
                "notice.create": chat.create,
                "notice.progress": chat.progress,
                "notice.answer": chat.answer,
            }
        )

    def bind(self, officers: OfficerActions) -> None:
        """The officers' actions need the messaging side, built after the pipeline."""
        self._handlers["report.acknowledge"] = officers.acknowledge
        self._handlers["officer.queue"] = officers.queue
        self._handlers["report.answer"] = officers.answer

    async def run(self, tx: Tx, contact: ContactInfo, action: ActionRequest) -> JSON:
        handler = self._handlers.get(action.name)
        if handler is None:
            raise UnknownAction(action.name)
        return await handler(tx, contact, action.args)

    async def _contact_update(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        names = ("notice_seen", "village_id", "language", "consent_version")
        fields = {k: args[k] for k in names if k in args}
        await tx.contacts.update(_id(contact), **fields)
        return {}

    async def _report_submit(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        cap = self._reports_per_hour
        if cap is not None:
            filed = await tx.reports.count_since(_id(contact), utcnow() - timedelta(hours=1))
            if filed >= cap:  # one sender must not flood the officers' queue
                raise TooManyReports
        details = dict(args.get("details") or {})
        village_id = args.get("village_id")
        commune_code = args.get("commune_code")
        if village_id and not commune_code:
            village = self._places.village(village_id)
            commune_code = village.commune_code if village else None
        urgency: int | None = None
        flagged = False
        if args["type"] == "disaster":
            if args.get("danger_now") is not None:
                details.setdefault("danger_now", args["danger_now"])
            scored = score_disaster(details, self._urgency)
            urgency, flagged = scored.score, scored.flagged
            details["urgency_reasons"] = list(scored.reasons)
        location = args.get("location") or {}
        report = await tx.reports.create(
            contact_id=_id(contact),
            type=args["type"],
            subtype=args.get("subtype"),
            village_id=village_id,
            commune_code=commune_code,
            details=details,
            lat=location.get("lat"),
            lon=location.get("lon"),
            photos=list(args.get("photos") or []),
            urgency=urgency,
            flagged=flagged,
            actor=contact.address,
        )
        log.info("report %s saved (type=%s urgency=%s)", report.ref, args["type"], urgency)
        metrics.report_saved(args["type"], urgency, flagged)
        alerted = await request_alert(tx, report) and await has_listeners(tx, report)
        return {"ref": report.ref, "urgency": urgency, "flagged": flagged, "alerted": alerted}

    async def _report_update(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        """Enrich a report filed earlier in the same conversation; a disaster is scored again
        on everything known (the flag never turns off)."""
        ref = str(args.get("ref") or "")
        current = await tx.reports.find(ref, _id(contact))
        if current is None:
            raise ValueError(f"report.update: no report {ref!r} of this contact")
        details = {**current.details, **{k: v for k, v in (args.get("details") or {}).items()
                                         if v is not None}}  # fmt: skip
        urgency, flagged = current.urgency, current.flagged
        if current.type == "disaster":
            scored = score_disaster(details, self._urgency)
            urgency, flagged = scored.score, current.flagged or scored.flagged
            details["urgency_reasons"] = list(scored.reasons)
        location = args.get("location") or {}
        report = await tx.reports.enrich(
            ref,
            _id(contact),
            details=details,
            subtype=args.get("subtype"),
            lat=location.get("lat"),
            lon=location.get("lon"),
            photos=list(args.get("photos") or []),
            urgency=urgency,
            flagged=flagged,
        )
        if report is None:  # found a moment ago in the same transaction
            raise ValueError(f"report.update: no report {ref!r} of this contact")
        if flagged and not current.flagged:
            log.info("report %s flagged by an update (urgency=%s)", report.ref, urgency)
        # asked once per report whatever calls it again (the job key): a flag from an update
        # alerts the officers now; one from the first save already did
        alerted = await request_alert(tx, report) and await has_listeners(tx, report)
        return {"ref": report.ref, "urgency": urgency, "flagged": flagged, "alerted": alerted}

    async def _eligibility_save(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        check_id = await tx.eligibility.save(
            contact_id=_id(contact),
            standard=args["standard"],
            area=args["area"],
            income=int(args["income"]),
            household_size=_int_or_none(args.get("household_size")),
            deprived=list(args.get("deprived") or []),
            klass=args["class"],
            village_id=args.get("village_id"),
        )
        return {"id": check_id}

    async def _report_find(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        report = await tx.reports.find(str(args.get("ref", "")), _id(contact))
        if report is None:
            return {"found": False, "ref": args.get("ref")}
        return {"found": True, **_report_json(report)}

    async def _report_latest(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        reports = await tx.reports.latest(_id(contact), int(args.get("limit", 3)))
        return {"reports": [_report_json(r) for r in reports]}

    async def _subscription_set(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        topics = await tx.subscriptions.set(_id(contact), list(args["topics"]), bool(args["on"]))
        return {"topics": topics}

    async def _role_redeem(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        """Use a one-time role code: the contact takes the role at the code's place. Refused
        (and audited): unknown, used or expired codes; a code that would lower the contact's
        role; a sixth wrong code within the hour."""
        cid = _id(contact)
        actor = f"contact:{cid}"
        now = utcnow()
        refusals = await tx.audit.recent(actor=actor, action="role.refused", limit=MAX_CODE_TRIES)
        if len([r for r in refusals if r.at > now - CODE_TRY_WINDOW]) >= MAX_CODE_TRIES:
            return await _refuse(tx, actor, "too_many", contact)
        code = str(args.get("code") or "")
        found = await tx.role_codes.peek(code)
        if found is not None and outranks(contact.role, found.role):
            current = await tx.contacts.get(cid)
            place = self._place_name(current.role_commune, current.role_village) if current else ""
            return await _refuse(tx, actor, "lower", contact, current_place=place)
        used = await tx.role_codes.redeem(code, cid, now=now)
        if used.refusal is not None or used.grant is None:
            return await _refuse(tx, actor, used.refusal or "unknown", contact)
        grant = used.grant
        await tx.contacts.update(
            cid, role=grant.role, role_commune=grant.commune_code, role_village=grant.village_id
        )
        if grant.user_id is not None:  # a workspace account's phone: its alerts come here
            user = await tx.users.link_contact(grant.user_id, cid)
            me = await tx.contacts.get(cid)
            if user.display_name and me is not None and not me.name:
                await tx.contacts.update(cid, name=user.display_name)
        place = self._place_name(grant.commune_code, grant.village_id)
        target = f"village:{grant.village_id}" if grant.village_id else None
        target = target or (f"commune:{grant.commune_code}" if grant.commune_code else None)
        await tx.audit.record(
            actor=actor, action="role.granted", target=target,
            detail={"role": grant.role, "code_id": grant.id, "issued_by": grant.issued_by},
        )  # fmt: skip
        log.info("contact %d is now %s (%s)", cid, grant.role, target)
        return {"granted": True, "role": grant.role, "place": place}

    def _place_name(self, commune_code: str | None, village_id: str | None) -> str:
        """``bản Nam Niệu`` for a village, ``phường Chiềng An`` for a commune."""
        village = self._places.village(village_id) if village_id else None
        if village is not None:
            return village.display_name
        commune = self._places.commune(commune_code) if commune_code else None
        if commune is not None:
            return commune.display_name
        return village_id or commune_code or ""


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


async def _refuse(
    tx: Tx, actor: str, reason: str, contact: ContactInfo, current_place: str = ""
) -> JSON:
    await tx.audit.record(actor=actor, action="role.refused", detail={"reason": reason})
    log.warning("role code refused for %s: %s", actor, reason)
    return {
        "granted": False,
        "reason": reason,
        "current": contact.role,
        "current_place": current_place,
    }


def _id(contact: ContactInfo) -> int:
    if contact.id is None:  # ActionExecutor.run checks this first
        raise ValueError("actions need a stored contact")
    return contact.id


def _report_json(report: Any) -> JSON:
    return {
        "ref": report.ref,
        "type": report.type,
        "subtype": report.subtype,
        "status": report.status,
        "created_at": report.created_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
    }
