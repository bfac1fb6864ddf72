"""What an officer can do to a report, for the pages and the API alike.

Each action runs in one transaction: scope check, workflow check, the change, the history
event, the audit event and (for what a resident cares about) the message to the resident,
recorded by the messenger in the same transaction and sent after commit. If the messenger
cannot take the message, nothing of the action is kept: the page never says "sent" for a
message that was not.

Errors: :class:`NotVisible` (404: unknown, or outside the caller's scope, alike),
:class:`NotAllowed` (403: visible but the role is read-only), :class:`Invalid` (a move the
workflow forbids, a missing reason; the message is Vietnamese for the officer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.reports.alerts import cancel_alerts
from bot.store.records import (
    ContactRecord,
    LoggedMessage,
    ReportEvent,
    ReportRecord,
    WebUserRecord,
)
from bot.store.repo import Tx
from bot.web.workspace.auth import Principal
from bot.web.workspace.deps import Workspace
from bot.web.workspace.messenger import Told

MAX_TEXT = 2000
CONVERSATION = 50  # messages of the resident shown on the report page


class NotVisible(LookupError):
    """No such report for this caller (404: never confirm another commune's codes)."""


class NotAllowed(PermissionError):
    """The caller may see the report but not change it (a village head)."""


class Invalid(ValueError):
    """The change is not allowed as asked; ``str()`` is the officer-facing reason."""


@dataclass(frozen=True, slots=True)
class ReportDetail:
    report: ReportRecord
    history: list[ReportEvent]
    messages: list[LoggedMessage]
    contact: ContactRecord | None
    assignee: WebUserRecord | None
    people: dict[int, str]  # user id -> username, for the history's actors


def _clean(text: str | None) -> str:
    return (text or "").strip()[:MAX_TEXT]


class Triage:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    async def _visible(self, tx: Tx, who: Principal, ref: str) -> ReportRecord:
        report = await tx.triage.get(who.scope, ref)
        if report is None:
            raise NotVisible(ref)
        return report

    async def _writable(self, tx: Tx, who: Principal, ref: str) -> ReportRecord:
        report = await self._visible(tx, who, ref)
        if not who.rule.act:
            raise NotAllowed(ref)
        return report

    async def detail(self, who: Principal, ref: str) -> ReportDetail:
        async with self._ws.bot.store.transaction() as tx:
            report = await self._visible(tx, who, ref)
            history = await tx.reports.history(report.ref)
            contact = await tx.triage.contact(report.contact_id)
            messages = await tx.messages.conversation(report.contact_id, limit=CONVERSATION)
            ids = {int(e.actor[5:]) for e in history if e.actor.startswith("user:")
                   and e.actor[5:].isdigit()}  # fmt: skip
            if report.assigned_to is not None:
                ids.add(report.assigned_to)
            people: dict[int, str] = {}
            for uid in sorted(ids):
                user = await tx.users.get(uid)
                if user is not None:
                    people[uid] = user.display_name or user.username
            assignee = (
                None if report.assigned_to is None else await tx.users.get(report.assigned_to)
            )
        return ReportDetail(report, history, messages, contact, assignee, people)

    async def change_status(
        self, who: Principal, ref: str, status: str, note: str | None, ip: str | None
    ) -> tuple[ReportRecord, Told | None]:
        """Move the report along the workflow; tell the resident when the workflow says so.

        Returns the report and whether the resident could be told (None: not a status they
        are told about). A resident with no reachable address does not block the change; the
        history records that they were not told, and why.
        """
        wf = self._ws.workflow
        note = _clean(note) or None
        async with self._ws.bot.store.transaction() as tx:
            report = await self._writable(tx, who, ref)
            if status not in wf.statuses:
                raise Invalid("Trạng thái này không có.")  # never the input back
            if not wf.can_move(report.status, status):
                raise Invalid("Không chuyển được từ trạng thái này sang trạng thái đó.")
            if wf.needs_reason(status) and not note:
                raise Invalid("Cần ghi lý do (người dân sẽ được báo lý do này).")
            told = None
            if wf.tells_resident(status):
                key = f"officer.status.{status}"
                name = who.user.display_name
                if status == "acknowledged" and name:
                    key = "officer.status.acknowledged_by"  # the resident hears who took it
                told = await self._tell(tx, report, key, kind="status",
                                        reason=note or "", officer=name or "")  # fmt: skip
            detail = None if told is None else {"resident_told": told.sent, "why": told.reason}
            updated = await tx.reports.set_status(
                report.ref, status, actor=who.actor, note=note, detail=detail
            )
            if report.status == "new":
                await cancel_alerts(tx, report)  # somebody has it: the alert ladder stops
            if status in ("resolved", "rejected"):
                resident = await tx.contacts.get(report.contact_id)
                if resident is not None and resident.talking_ref == report.ref:
                    await tx.contacts.update(report.contact_id, talking=None)
            await tx.audit.record(
                actor=who.actor,
                action="report.status",
                target=f"report:{report.ref}",
                detail={"from": report.status, "to": status},
                ip=ip,
            )
        return updated, told

    async def assign(
        self, who: Principal, ref: str, user_id: int | None, ip: str | None
    ) -> ReportRecord:
        """Give the report to an active user of its commune (or to nobody)."""
        async with self._ws.bot.store.transaction() as tx:
            report = await self._writable(tx, who, ref)
            if user_id is not None:
                target = await tx.users.get(user_id)
                if (
                    target is None
                    or target.disabled
                    or target.role == "head"
                    or (target.role == "officer" and target.commune_code != report.commune_code)
                ):
                    raise Invalid("Không giao được cho người này.")
            updated = await tx.reports.assign(report.ref, user_id, actor=who.actor)
            await tx.audit.record(
                actor=who.actor,
                action="report.assign",
                target=f"report:{report.ref}",
                detail={"assigned_to": user_id},
                ip=ip,
            )
        return updated

    async def note(self, who: Principal, ref: str, text: str, ip: str | None) -> ReportEvent:
        """An internal note: never shown to the resident."""
        text = _clean(text)
        if not text:
            raise Invalid("Ghi chú trống.")
        async with self._ws.bot.store.transaction() as tx:
            report = await self._writable(tx, who, ref)
            event = await tx.reports.add_event(report.ref, "note", actor=who.actor, note=text)
            await tx.audit.record(
                actor=who.actor, action="report.note", target=f"report:{report.ref}", ip=ip
            )
        return event

    async def reply(self, who: Principal, ref: str, text: str, ip: str | None) -> ReportEvent:
        """Write to the resident on their own channel; kept in the report's history."""
        text = _clean(text)
        if not text:
            raise Invalid("Tin trả lời trống.")
        async with self._ws.bot.store.transaction() as tx:
            report = await self._writable(tx, who, ref)
            told = await self._tell(tx, report, "officer.reply", kind="officer_reply", text=text)
            if not told.sent:
                raise Invalid(
                    f"Không gửi được cho người dân lúc này ({told.reason}): chưa lưu gì. "
                    "Xin gọi điện hoặc thử lại sau."
                )
            event = await tx.reports.add_event(report.ref, "reply", actor=who.actor, note=text)
            # what the resident writes next goes to this report (and the officer), not the bot
            until = self._ws.now() + timedelta(hours=self._ws.bot.settings.alerts.talk_hours)
            await tx.contacts.update(report.contact_id, talking=(report.ref, until))
            await tx.audit.record(
                actor=who.actor, action="report.reply", target=f"report:{report.ref}", ip=ip
            )
        return event

    async def _tell(self, tx: Tx, report: ReportRecord, key: str, *, kind: str, **kw: Any) -> Told:
        contact = await tx.contacts.get(report.contact_id)
        language = contact.language if contact else "vi"
        text = self._ws.bot.engine.text(key, language, ref=report.ref, **kw)
        return await self._ws.messenger.tell(tx, report.contact_id, text, kind)
