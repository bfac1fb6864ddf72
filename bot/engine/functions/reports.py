"""Report flows: household change, disaster, officer handover, report status."""

from __future__ import annotations

from typing import Any

from bot.engine import fmt
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.functions.common import report_args
from bot.engine.registry import ACTIONS, CONDITIONS, GETTERS
from bot.engine.types import ActionRequest

LATEST_LIMIT = 3


def _opt(ctx: Ctx, prefix: str, value: Any) -> str:
    return ctx.t(f"{prefix}.{value}") if value else "-"


# -- household change ------------------------------------------------------------------------


def hc_summary(ctx: Ctx) -> dict[str, Any]:
    s = ctx.slots
    return {
        "change_name": _opt(ctx, "hc.opt", s.get("change")),
        "who": s.get("who") or "-",
        "when": s.get("when") or "-",
        "place": s.get("place") or "-",
    }


def household_change_submit(ctx: Ctx) -> ActionRequest:
    s = ctx.slots
    details = {"who": s.get("who"), "when": s.get("when"), "place": s.get("place")}
    args = report_args(ctx, "household_change", s.get("change"), details)
    return ActionRequest("report.submit", args)


def is_exit_poverty(ctx: Ctx) -> bool:
    return ctx.slots.get("change") == "exit_poverty"


# -- disaster ---------------------------------------------------------------------------------


def ds_summary(ctx: Ctx) -> dict[str, Any]:
    s = ctx.slots
    vulnerable = [v for v in s.get("vulnerable") or [] if v != "none"]
    where = s.get("place") or s.get("location_text") or "-"
    return {
        "hazard_name": _opt(ctx, "ds.hazard", s.get("hazard")),
        "place": where,
        "people": s.get("people", "-"),
        "vulnerable_names": ", ".join(ctx.t(f"ds.vul.{v}") for v in vulnerable)
        or ctx.t("ds.vul.none"),
        "house_name": _opt(ctx, "ds.house", s.get("house")),
        "pin": ctx.t("ds.pin_yes") if s.get("location") else ctx.t("ds.pin_no"),
        "photo_count": len(s.get("photo") or []),
    }


def disaster_submit(ctx: Ctx) -> ActionRequest:
    s = ctx.slots
    details = {
        "hazard": s.get("hazard"),
        "people": s.get("people"),
        "vulnerable": [v for v in s.get("vulnerable") or [] if v != "none"],
        "house_state": s.get("house"),
        "danger_now": bool(s.get("danger_now")),
        "place": s.get("place"),
        "location_text": s.get("location_text"),
    }
    args = report_args(ctx, "disaster", s.get("hazard"), details)
    args.update(
        location=s.get("location"),
        photos=list(s.get("photo") or []),
        danger_now=bool(s.get("danger_now")),
    )
    return ActionRequest("report.submit", args)


def disaster_done(ctx: Ctx) -> dict[str, Any]:
    result = ctx.slots.get("submit") or {}
    flagged = " " + ctx.t("ds.flagged") if result.get("flagged") else ""
    return {"ref": str(result.get("ref") or "-"), "flagged_line": flagged}


# -- handover ---------------------------------------------------------------------------------


def handover_submit(ctx: Ctx) -> ActionRequest:
    details = {"reason": ctx.slots.get("reason"), "from_flow": ctx.slots.get("from_flow")}
    return ActionRequest("report.submit", report_args(ctx, "handover", None, details))


# -- report status ----------------------------------------------------------------------------


def report_find(ctx: Ctx) -> ActionRequest:
    return ActionRequest("report.find", {"ref": str(ctx.slots.get("ask_ref") or "")})


def report_latest(ctx: Ctx) -> ActionRequest:
    return ActionRequest("report.latest", {"limit": LATEST_LIMIT})


def report_found(ctx: Ctx) -> bool:
    return bool((ctx.slots.get("found") or {}).get("found"))


def _type_name(ctx: Ctx, rtype: Any) -> str:
    known = ("eligibility_request", "household_change", "disaster", "handover")
    return ctx.t(f"rs.type.{rtype}") if rtype in known else str(rtype or "-")


def _status_name(ctx: Ctx, status: Any) -> str:
    known = ("new", "acknowledged", "in_progress", "resolved", "closed", "rejected")
    folded = key(str(status or "")).replace(" ", "_")
    return ctx.t(f"rs.status.{folded}") if folded in known else str(status or "-")


def report_view(ctx: Ctx) -> dict[str, Any]:
    r = ctx.slots.get("found") or {}
    return {
        "ref": r.get("ref") or ctx.slots.get("ask_ref") or "-",
        "type_name": _type_name(ctx, r.get("type")),
        "status_name": _status_name(ctx, r.get("status")),
        "created": fmt.day(r.get("created_at")),
        "updated": fmt.day(r.get("updated_at")),
    }


def latest_view(ctx: Ctx) -> dict[str, Any]:
    reports = (ctx.slots.get("latest_list") or {}).get("reports") or []
    lines = [
        ctx.t(
            "rs.latest_line",
            ref=r.get("ref", "-"),
            type_name=_type_name(ctx, r.get("type")),
            status_name=_status_name(ctx, r.get("status")),
            created=fmt.day(r.get("created_at")),
        )
        for r in reports[:LATEST_LIMIT]
    ]
    return {"lines": "\n".join(lines) if lines else ctx.t("rs.none")}


CONDITIONS.update(is_exit_poverty=is_exit_poverty, report_found=report_found)
GETTERS.update(
    hc_summary=hc_summary,
    ds_summary=ds_summary,
    disaster_done=disaster_done,
    report_view=report_view,
    latest_view=latest_view,
)
ACTIONS.update(
    household_change_submit=household_change_submit,
    disaster_submit=disaster_submit,
    handover_submit=handover_submit,
    report_find=report_find,
    report_latest=report_latest,
)
