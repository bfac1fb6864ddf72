"""Officers hear about the reports that need them, on their own phones, until one answers.

A report needs an alert when it is flagged (someone in danger now, or urgency over the
threshold) or when it is a handover request. The alert is a job written in the transaction
that saved (or flagged) the report, so it survives any crash and never fires for a report
that was not saved; it runs at once on the reply lane. Then a ladder, from settings
(``BANBOT_ALERTS__*``), while the report stays ``new``:

- step 0: every officer of the report's commune who linked a phone (a contact with the
  officer role for that commune), on the channel they use;
- the next steps, after the ladder's minutes: the same officers again ("nhắc lại, chưa ai
  nhận"), and at the last step the admins;
- a report with no commune, or a commune where no officer linked a phone, goes to the admins
  at once — never nowhere. If there is nobody at all, the report's history says so.

Acknowledging (chat ``NHAN TT-…``, the alert's button, the workspace) moves the report out of
``new``; the pending steps are cancelled and a step that runs anyway stops at its first look.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot import metrics
from bot.domain.json import JSON
from bot.domain.messages import Button, Reply
from bot.jobs.registry import JobServices, job
from bot.store.records import ContactRecord, ReportRecord
from bot.store.repo import Tx

log = logging.getLogger(__name__)

ALERT_JOB = "report.alert"
MAX_STEPS = 10  # a ladder longer than this is cut (cancelling needs a bound)
ACK_PAYLOAD = "sys:ack:"  # + ref: the alert's "Nhận xử lý" button


def needs_alert(report: ReportRecord) -> bool:
    return report.flagged or report.type == "handover"


async def request_alert(tx: Tx, report: ReportRecord) -> bool:
    """Ask for the alert ladder of ``report`` if it needs one (once per report, whatever
    calls this again: the job key makes it idempotent). True if it does."""
    if not needs_alert(report):
        return False
    await tx.jobs.add(
        ALERT_JOB, {"report_id": report.id, "step": 0}, lane="reply", key=_key(report.id, 0)
    )
    return True


async def cancel_alerts(tx: Tx, report: ReportRecord) -> None:
    """The report was acknowledged: the steps not run yet never will."""
    for step in range(MAX_STEPS + 1):
        await tx.jobs.cancel(_key(report.id, step))


async def has_listeners(tx: Tx, report: ReportRecord) -> bool:
    """True if an alert for ``report`` would reach someone (an officer of its commune or an
    admin with a linked phone): what the bot may promise the resident."""
    if report.commune_code and await tx.contacts.with_role(
        "officer", commune_code=report.commune_code
    ):
        return True
    return bool(await tx.contacts.with_role("admin"))


def _key(report_id: int, step: int) -> str:
    return f"alert:{report_id}:{step}"


@job(ALERT_JOB)
async def run_alert(services: JobServices, tx: Tx, args: JSON) -> None:
    report = await tx.reports.by_id(int(args["report_id"]))
    if report is None or report.status != "new":
        return  # acknowledged (or gone): the ladder stops here
    step = int(args.get("step", 0))
    danger = bool(report.details.get("danger_now"))
    cfg = services.settings.alerts
    minutes = (cfg.danger_minutes if danger else cfg.flagged_minutes)[:MAX_STEPS]
    officers = (
        await tx.contacts.with_role("officer", commune_code=report.commune_code)
        if report.commune_code
        else []
    )
    last = step >= len(minutes)
    admins_now = last or not officers
    people = await tx.contacts.with_role("admin") if admins_now else officers
    lead = _lead(step, last, bool(officers), sum(minutes))
    resident = await tx.contacts.get(report.contact_id)

    def words(rendering: str, language: str) -> list[Reply]:
        return [_alert(services, report, resident, rendering, language, lead)]

    reached: list[str] = []
    for person in people:
        plan = await services.contacts_out.send(
            tx,
            person.id,
            words,
            kind="alert",
            lane="reply",
            key=f"{_key(report.id, step)}:{person.id}",
        )
        reached.append(plan.route.adapter if plan.route else f"-{plan.reason}")
    who = "admins" if admins_now else "officers"
    await tx.reports.add_event(
        report.ref, "alert", actor="system",
        note=_summary(who, reached), detail={"step": step, "to": who, "via": reached},
    )  # fmt: skip
    log.info("report %s alert step %d to %d %s", report.ref, step, len(people), who)
    if step == 0:
        metrics.alert_planned((services.clock() - report.created_at).total_seconds())
    if not admins_now:
        at = services.clock() + timedelta(minutes=minutes[step])
        await tx.jobs.add(
            ALERT_JOB, {"report_id": report.id, "step": step + 1}, lane="reply", run_at=at,
            key=_key(report.id, step + 1),
        )  # fmt: skip


def _lead(step: int, last: bool, has_officers: bool, total: int) -> tuple[str, dict[str, Any]]:
    """Which introduction the alert carries."""
    if not has_officers:
        return "alert.lead.no_officer", {}
    if last:
        return "alert.lead.admin", {"minutes": total}
    if step > 0:
        return "alert.lead.repeat", {}
    return "", {}


def _summary(who: str, reached: list[str]) -> str:
    """The history line: to whom and through what ("officers: zalo, android_sms")."""
    if not reached:
        return f"{who}: nobody has linked a phone"
    return f"{who}: {', '.join(reached)}"


def _alert(
    services: JobServices,
    report: ReportRecord,
    resident: ContactRecord | None,
    rendering: str,
    language: str,
    lead: tuple[str, dict[str, Any]],
) -> Reply:
    t = services.texts
    d = report.details
    if report.type == "handover":
        key, what = "alert.handover", str(d.get("reason") or "").strip()
    else:
        key = "alert.danger" if d.get("danger_now") else "alert.flagged"
        hazard = d.get("hazard") or (None if d.get("from_notice") else report.subtype)
        if d.get("from_notice"):
            what = t("alert.notice_help", language, notice=d["from_notice"])
        elif hazard:
            what = t(f"ds.hazard.{hazard}", language)
        else:
            what = t("alert.no_hazard", language)
    vulnerable = [str(v) for v in d.get("vulnerable") or () if v and v != "none"]
    who = ", ".join(t(f"ds.vul.{v}", language).lower() for v in vulnerable)
    values = {
        "ref": report.ref,
        "what": what,
        "place": str(d.get("place") or report.village_id or report.commune_code or "?"),
        "people": t("alert.people", language, n=d["people"]) if d.get("people") else "",
        "vulnerable": t("alert.vulnerable", language, who=who) if vulnerable else "",
        "phone": _phone(resident) or t("alert.no_phone", language),
        "link": _link(services, report.ref),
    }
    text = t(key, language, **values)
    lead_key, lead_values = lead
    if lead_key:
        text = t(lead_key, language, **lead_values) + " " + text
    if rendering == "sms":
        return Reply(text + " " + t("alert.ack_hint", language, ref=report.ref))
    return Reply(text, (Button(t("alert.ack_btn", language), ACK_PAYLOAD + report.ref),))


def _phone(contact: ContactRecord | None) -> str | None:
    if contact is None:
        return None
    return next((u.removeprefix("tel:") for u in contact.urns if u.startswith("tel:")), None)


def _link(services: JobServices, ref: str) -> str:
    base = (services.settings.public_url or "").rstrip("/")
    return f"{base}/ws/reports/{ref}"
