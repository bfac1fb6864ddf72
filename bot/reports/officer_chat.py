"""What an officer does to a report from their phone (the ``officer_ack`` and
``officer_queue`` flows): the actions ``report.acknowledge`` and ``officer.queue``.

The same rules as the workspace: an officer sees and changes only their commune's reports
(another commune's code is "not found", never "not yours"); an admin sees every commune.
Taking a report moves it ``new -> acknowledged`` once, records who (their workspace account if
their phone is linked to one, else their contact), tells the resident who took it on the
resident's own channel, and cancels the alerts still waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.json import JSON
from bot.domain.messages import Reply
from bot.engine.types import ContactInfo
from bot.outbound.contact import ContactSender
from bot.reports.alerts import cancel_alerts
from bot.store.records import ReportRecord
from bot.store.repo import Tx
from bot.store.types import utcnow

OPEN = ("new", "acknowledged", "in_progress")
Texts = Callable[..., str]


class OfficerActions:
    """Bound to the sender and the texts once the messaging side is built."""

    def __init__(
        self,
        contacts_out: ContactSender,
        texts: Texts,
        *,
        public_url: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._out = contacts_out
        self._t = texts
        self._public_url = public_url
        self._clock = clock

    async def acknowledge(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        ref = str(args.get("ref") or "")
        me = await tx.contacts.get(contact.id) if contact.id is not None else None
        report = await tx.reports.get(ref) if ref else None
        if me is None or report is None or not _mine(me.role, me.role_commune, report):
            return {"ok": False, "reason": "not_found", "ref": ref}
        if report.status in ("resolved", "rejected"):
            return {"ok": False, "reason": "closed", "ref": report.ref}
        if report.status != "new":
            return {"ok": False, "reason": "already", "ref": report.ref,
                    "by": await self._who(tx, report.acknowledged_by)}  # fmt: skip
        user = await tx.users.of_contact(me.id)
        actor = f"user:{user.id}" if user else f"contact:{me.id}"
        name = (user.display_name if user else None) or me.name
        resident = await tx.contacts.get(report.contact_id)
        language = resident.language if resident else "vi"
        key = "officer.status.acknowledged_by" if name else "officer.status.acknowledged"
        words = self._t(key, language, ref=report.ref, officer=name or "")
        plan = await self._out.send(
            tx, report.contact_id, [Reply(words)], kind="status", key=f"ack:{report.ref}"
        )
        await tx.reports.set_status(
            report.ref, "acknowledged", actor=actor,
            detail={"via": "chat", "resident_told": plan.sent, "why": plan.reason},
        )  # fmt: skip
        await cancel_alerts(tx, report)
        await tx.audit.record(
            actor=actor, action="report.status", target=f"report:{report.ref}",
            detail={"from": "new", "to": "acknowledged", "via": "chat"},
        )  # fmt: skip
        return {"ok": True, "ref": report.ref, "resident_told": plan.sent}

    async def queue(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        me = await tx.contacts.get(contact.id) if contact.id is not None else None
        if me is None or me.role not in ("officer", "admin"):
            return {"reports": [], "total": 0}
        commune = me.role_commune if me.role == "officer" else None
        limit = int(args.get("limit", 5))
        reports, total = await tx.reports.open_for(commune, OPEN, limit=limit)
        now = self._clock()
        return {
            "total": total,
            "reports": [
                {
                    "ref": r.ref,
                    "type": r.type,
                    "hazard": r.details.get("hazard") if r.type == "disaster" else None,
                    "place": r.details.get("place") or r.village_id,
                    "status": r.status,
                    "flagged": r.flagged,
                    "minutes": int((now - r.created_at).total_seconds() // 60),
                }
                for r in reports
            ],
        }

    async def answer(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        """The resident wrote back while an officer talks with them about a report: it goes
        into the report's history (media into its photos) and to the officers on it."""
        report = await tx.reports.get(str(args.get("ref") or ""))
        if report is None or contact.id is None or report.contact_id != contact.id:
            return {"forwarded": False}
        text = str(args.get("text") or "")
        media = [str(m) for m in args.get("media") or ()]
        shown = text or ", ".join(m.partition(":")[0] for m in media)
        await tx.reports.add_event(
            report.ref, "answer", actor=contact.address, note=shown, detail={"media": media}
        )
        if media:
            await tx.reports.enrich(
                report.ref, contact.id, details=report.details, photos=media,
                urgency=report.urgency, flagged=report.flagged,
            )  # fmt: skip
        officers = await self._on_it(tx, report)
        link = f"{(self._public_url or '').rstrip('/')}/ws/reports/{report.ref}"
        for cid in officers:
            officer = await tx.contacts.get(cid)
            lang = officer.language if officer else "vi"
            words = self._t("talk.to_officer", lang, ref=report.ref, text=shown, link=link)
            await self._out.send(tx, cid, [Reply(words)], kind="alert")
        return {"forwarded": bool(officers)}

    async def _on_it(self, tx: Tx, report: ReportRecord) -> list[int]:
        """Who hears the resident's answer: the assignee's phone, else the officers who wrote
        to the resident, else the commune's officers, else the admins."""
        ids: list[int] = []
        if report.assigned_to is not None:
            user = await tx.users.get(report.assigned_to)
            if user is not None and user.contact_id is not None:
                ids.append(user.contact_id)
        if not ids:
            for event in await tx.reports.history(report.ref):
                kind, _, raw = event.actor.partition(":")
                if event.kind == "reply" and kind == "user" and raw.isdecimal():
                    user = await tx.users.get(int(raw))
                    if user is not None and user.contact_id and user.contact_id not in ids:
                        ids.append(user.contact_id)
        if not ids and report.commune_code:
            officers = await tx.contacts.with_role("officer", commune_code=report.commune_code)
            ids = [o.id for o in officers]
        if not ids:
            ids = [a.id for a in await tx.contacts.with_role("admin")]
        return ids

    async def _who(self, tx: Tx, actor: str | None) -> str | None:
        """A person's name for the officer who asks (``user:3`` -> their display name)."""
        kind, _, raw = (actor or "").partition(":")
        if kind == "user" and raw.isdecimal():
            user = await tx.users.get(int(raw))
            return (user.display_name or user.username) if user else None
        if kind == "contact" and raw.isdecimal():
            found = await tx.contacts.get(int(raw))
            return found.name if found else None
        return None


def _mine(role: str, commune: str | None, report: ReportRecord) -> bool:
    return role == "admin" or (role == "officer" and commune == report.commune_code)
