"""Runs the engine's ActionRequests against the store, inside the turn's transaction.

The names, arguments and results are the contract in :mod:`bot.engine.types`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain.json import JSON
from bot.engine.types import ActionRequest, ContactInfo
from bot.ports import PlaceLookup
from bot.reports.urgency import UrgencyRules, score_disaster
from bot.store.repo import Tx

log = logging.getLogger(__name__)

Handler = Callable[[Tx, ContactInfo, JSON], Awaitable[JSON]]


class UnknownAction(ValueError):
    """The flow asked for an action nobody implements (a bug in a flow file)."""


class ActionExecutor:
    """Maps action names to small handlers; each returns the JSON result for the flow."""

    def __init__(self, *, places: PlaceLookup, urgency_rules: UrgencyRules) -> None:
        self._places = places
        self._urgency = urgency_rules
        self._handlers: dict[str, Handler] = {
            "contact.update": self._contact_update,
            "report.submit": self._report_submit,
            "eligibility.save": self._eligibility_save,
            "report.find": self._report_find,
            "report.latest": self._report_latest,
            "subscription.set": self._subscription_set,
        }

    async def run(self, tx: Tx, contact: ContactInfo, action: ActionRequest) -> JSON:
        handler = self._handlers.get(action.name)
        if handler is None:
            raise UnknownAction(action.name)
        return await handler(tx, contact, action.args)

    async def _contact_update(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        fields = {k: args[k] for k in ("notice_seen", "village_id", "language") if k in args}
        await tx.contacts.update(_id(contact), **fields)
        return {}

    async def _report_submit(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
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
        return {"ref": report.ref, "urgency": urgency, "flagged": flagged}

    async def _eligibility_save(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        check_id = await tx.eligibility.save(
            contact_id=_id(contact),
            standard=args["standard"],
            area=args["area"],
            income=int(args["income"]),
            household_size=int(args["household_size"]),
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
