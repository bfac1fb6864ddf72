"""Notices from chat: a head or an officer composes one on their phone (``notice_compose``),
asks how it went (``notice_progress``); a resident answers a disaster warning ("an toàn" /
"cần giúp": ``safety_answer``), which becomes a report in the officers' queue (help asked:
flagged, the officers alerted)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.json import JSON
from bot.engine.types import ContactInfo
from bot.notices.scope import NoticeSender, OutOfScope
from bot.notices.service import Draft, Notices
from bot.ports import PlaceLookup
from bot.reports.alerts import has_listeners, request_alert
from bot.store.repo import Tx
from bot.store.types import utcnow

ANSWER_WINDOW = timedelta(hours=72)  # how long after a warning an answer belongs to it


class NoticeActions:
    def __init__(self, notices: Notices, places: PlaceLookup) -> None:
        self._notices = notices
        self._places = places

    async def _sender(self, tx: Tx, contact: ContactInfo) -> NoticeSender | None:
        me = await tx.contacts.get(contact.id) if contact.id is not None else None
        if me is None or me.role not in ("head", "officer", "admin"):
            return None
        user = await tx.users.of_contact(me.id)
        return NoticeSender(
            actor=f"user:{user.id}" if user else f"contact:{me.id}", role=me.role,
            commune_code=me.role_commune, village_id=me.role_village, contact_id=me.id,
            name=(user.display_name if user else None) or me.name,
        )  # fmt: skip

    def _draft(self, args: JSON) -> Draft:
        where = str(args.get("where") or "")
        villages = [where] if where and where != "commune" else []
        at = args.get("at")
        return Draft(
            topic=str(args["topic"]), text=str(args.get("text") or ""), village_ids=villages,
            send_at=datetime.fromisoformat(at) if at else None,
            ask_safety=bool(args.get("ask_safety")), unaccented=bool(args.get("unaccented")),
        )  # fmt: skip

    async def preview(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        sender = await self._sender(tx, contact)
        if sender is None:
            return {"ok": False, "reason": "role"}
        try:
            shown = await self._notices.preview(tx, sender, self._draft(args))
        except (OutOfScope, ValueError) as exc:
            return {"ok": False, "reason": str(exc)}
        return {"ok": True, **shown.as_json(), "where": self._where(sender, args)}

    async def create(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        sender = await self._sender(tx, contact)
        if sender is None:
            return {"ok": False, "reason": "role"}
        try:
            notice = await self._notices.create(tx, sender, self._draft(args))
        except (OutOfScope, ValueError) as exc:
            return {"ok": False, "reason": str(exc)}
        local = notice.send_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        return {"ok": True, "id": notice.id, "at": local.strftime("%H:%M %d/%m")}

    async def progress(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        sender = await self._sender(tx, contact)
        latest = await tx.notices.by_sender(sender.actor, limit=1) if sender else []
        if not latest:
            return {"found": False}
        notice = latest[0]
        progress = await tx.notices.progress(notice)
        return {"found": True, "id": notice.id, "status": notice.status, **progress.as_json()}

    async def answer(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        """ "an toàn" / "cần giúp" after a warning that asked: a report for the officers."""
        if contact.id is None:
            return {"ok": False}
        notice_id = args.get("notice")
        notice = await tx.notices.get(int(notice_id)) if notice_id else None
        if notice is None:
            notice = await tx.notices.last_warning_to(contact.id, since=utcnow() - ANSWER_WINDOW)
        if notice is None or not notice.ask_safety:
            return {"ok": False, "reason": "no_warning"}
        me = await tx.contacts.get(contact.id)
        village = self._places.village(me.village_id) if me and me.village_id else None
        help_asked = args.get("answer") == "help"
        report = await tx.reports.create(
            contact_id=contact.id, type="disaster",
            subtype="need_help" if help_asked else "safe",
            village_id=village.id if village else None,
            commune_code=village.commune_code if village else notice.commune_code,
            details={"from_notice": notice.id, "answer": "help" if help_asked else "safe",
                     "place": village.display_name if village else None,
                     "danger_now": help_asked or None},
            urgency=80 if help_asked else 0, flagged=help_asked, actor=contact.address,
        )  # fmt: skip
        alerted = False
        if help_asked:
            alerted = await request_alert(tx, report) and await has_listeners(tx, report)
        else:
            await tx.reports.set_status(report.ref, "resolved", actor="system",
                                        note="an toàn (trả lời cảnh báo)")  # fmt: skip
        return {"ok": True, "ref": report.ref, "help": help_asked, "alerted": alerted}

    def _where(self, sender: NoticeSender, args: JSON) -> str:
        where = str(args.get("where") or "")
        if sender.role == "head" and sender.village_id:
            where = sender.village_id
        village = self._places.village(where) if where and where != "commune" else None
        if village is not None:
            return village.display_name
        commune = self._places.commune(sender.commune_code) if sender.commune_code else None
        return commune.display_name if commune else ""
