"""Report flows: household change, disaster, officer handover, report status."""

from __future__ import annotations

from typing import Any

from bot.engine import fmt
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.functions.common import report_args, submit_ref
from bot.engine.registry import ACTIONS, CONDITIONS, GETTERS
from bot.engine.types import JSON, ActionRequest

LATEST_LIMIT = 3


def _opt(ctx: Ctx, prefix: str, value: Any) -> str:
    return ctx.t(f"{prefix}.{value}") if value else "-"


# -- household change ------------------------------------------------------------------------

# Which follow-up questions a change type asks (the rest are skipped).
NO_WHO = {"birth", "exit_poverty", "other"}
NO_WHEN = {"exit_poverty", "other"}
CIVIL = {"birth", "death"}  # registered separately at the commune (khai sinh / khai tử)


def _change(ctx: Ctx) -> str:
    return str(ctx.slots.get("change") or "")


def is_birth(ctx: Ctx) -> bool:
    return _change(ctx) == "birth"


def is_other(ctx: Ctx) -> bool:
    return _change(ctx) == "other"


def asks_who(ctx: Ctx) -> bool:
    return _change(ctx) not in NO_WHO


def asks_when(ctx: Ctx) -> bool:
    return _change(ctx) not in NO_WHEN


def needs_civil(ctx: Ctx) -> bool:
    return _change(ctx) in CIVIL


def is_exit_poverty(ctx: Ctx) -> bool:
    return _change(ctx) == "exit_poverty"


def _when(value: Any) -> str:
    return fmt.month(str(value)) if value else "-"


def hc_summary(ctx: Ctx) -> dict[str, Any]:
    s = ctx.slots
    parts = []
    if s.get("what"):
        parts.append(str(s["what"]))
    if is_birth(ctx):
        parts.append(ctx.t("hc.sum.baby", name=s.get("baby") or "-"))
    elif s.get("who"):
        parts.append(ctx.t("hc.sum.who", who=s["who"]))
    if s.get("when"):
        parts.append(ctx.t("hc.sum.when", when=_when(s["when"])))
    return {
        "change_name": _opt(ctx, "hc.opt", s.get("change")),
        "details": "".join(f"; {p}" for p in parts),
        "place": s.get("place") or "-",
    }


def household_change_submit(ctx: Ctx) -> ActionRequest:
    s = ctx.slots
    details = {
        "who": s.get("who"),
        "baby": s.get("baby"),
        "when": s.get("when"),
        "what": s.get("what"),
        "place": s.get("place"),
    }
    args = report_args(ctx, "household_change", s.get("change"), details)
    args["photos"] = list(s.get("media") or [])
    return ActionRequest("report.submit", args)


def hc_done(ctx: Ctx) -> dict[str, Any]:
    info = ctx.services.policy.review_info(ctx.today)
    return {**submit_ref(ctx), "day": info["monthly"]["day"]}


def hc_civil(ctx: Ctx) -> dict[str, Any]:
    info = ctx.services.policy.review_info(ctx.today)["civil_registration"]
    text = info.get(_change(ctx), {}).get("text") or {}
    return {"civil": text.get(ctx.lang) or text.get("vi", "")}


def hc_exit(ctx: Ctx) -> dict[str, Any]:
    form = ctx.services.policy.review_info(ctx.today)["forms"]["mau_04"]
    return {
        "form": form["number"],
        "name": form["name"].get(ctx.lang) or form["name"]["vi"],
        "to": form["to"].get(ctx.lang) or form["to"]["vi"],
    }


# -- disaster ---------------------------------------------------------------------------------
#
# The report is filed as soon as the place is known (before any other question when someone
# is in danger now); each later answer enriches it through ``report.update``, which scores
# the urgency again. Nothing is confirmed at the end: what was said is saved as said.


def _disaster_details(ctx: Ctx) -> JSON:
    s = ctx.slots
    return {
        "hazard": s.get("hazard"),
        "people": s.get("people"),
        "vulnerable": [v for v in s.get("vulnerable") or [] if v != "none"],
        "house_state": s.get("house"),
        "stay": s.get("stay"),
        "danger_now": bool(s.get("danger_now")),
        "place": s.get("place"),
        "location_text": s.get("location_text"),
    }


def disaster_file(ctx: Ctx) -> ActionRequest:
    s = ctx.slots
    args = report_args(ctx, "disaster", s.get("hazard"), _disaster_details(ctx))
    args["danger_now"] = bool(s.get("danger_now"))
    args["photos"] = list(s.get("media") or [])  # a voice note sent before the place
    return ActionRequest("report.submit", args)


def disaster_update(ctx: Ctx) -> ActionRequest:
    s = ctx.slots
    photos = [*(s.get("photo") or []), *(s.get("media") or [])]
    args: JSON = {
        "ref": str((s.get("submit") or {}).get("ref") or ""),
        "subtype": s.get("hazard"),
        "details": _disaster_details(ctx),
        "photos": list(dict.fromkeys(photos)),
    }
    if s.get("location"):
        args["location"] = s["location"]
    return ActionRequest("report.update", args)


def ask_stay(ctx: Ctx) -> bool:
    """Where the household is now matters when the house is hit or the ground may move."""
    s = ctx.slots
    return s.get("house") not in (None, "ok") or s.get("hazard") in ("landslide", "flash_flood")


def _urgent_line(ctx: Ctx, result: dict[str, Any]) -> str:
    """Only what is true: officers were alerted (and someone has a phone to get it), or the
    report is marked urgent in the commune's queue."""
    if result.get("alerted"):
        return " " + ctx.t("ds.alerted")
    if result.get("flagged"):
        return " " + ctx.t("ds.flagged")
    return ""


def disaster_filed(ctx: Ctx) -> dict[str, Any]:
    result = ctx.slots.get("submit") or {}
    return {**submit_ref(ctx), "alerted_line": _urgent_line(ctx, result)}


def disaster_done(ctx: Ctx) -> dict[str, Any]:
    result = ctx.slots.get("submit") or {}
    return {"ref": str(result.get("ref") or "-"), "flagged_line": _urgent_line(ctx, result)}


def _relief(ctx: Ctx) -> list[str]:
    """Decree 20/2021 supports the answers make plausible, each with its own conditions."""
    s = ctx.slots
    facts = {"house_state": s.get("house"), "stay": s.get("stay")}
    found = []
    for support in ctx.services.policy.disaster_supports(ctx.today):
        if any(facts.get(f) in values for f, values in support.applies_if.items()):
            found.append(support.detail.get(ctx.lang) or support.detail["vi"])
    return found


def relief_plausible(ctx: Ctx) -> bool:
    return bool(_relief(ctx))


def disaster_relief(ctx: Ctx) -> dict[str, Any]:
    form = ctx.services.policy.review_info(ctx.today)["forms"]["mau_06"]
    return {
        "items": "\n".join(f"- {item}" for item in _relief(ctx)),
        "form": form["number"],
        "to": form["to"].get(ctx.lang) or form["to"]["vi"],
    }


# -- handover ---------------------------------------------------------------------------------


def handover_submit(ctx: Ctx) -> ActionRequest:
    details = {"reason": ctx.slots.get("reason"), "from_flow": ctx.slots.get("from_flow")}
    args = report_args(ctx, "handover", None, details)
    args["photos"] = list(ctx.slots.get("media") or [])
    return ActionRequest("report.submit", args)


# -- report status ----------------------------------------------------------------------------


def report_find(ctx: Ctx) -> ActionRequest:
    return ActionRequest("report.find", {"ref": str(ctx.slots.get("ask_ref") or "")})


def report_latest(ctx: Ctx) -> ActionRequest:
    return ActionRequest("report.latest", {"limit": LATEST_LIMIT})


def report_found(ctx: Ctx) -> bool:
    return bool((ctx.slots.get("found") or {}).get("found"))


def type_name_of(ctx: Ctx, rtype: Any) -> str:
    known = ("eligibility_request", "household_change", "disaster", "handover")
    return ctx.t(f"rs.type.{rtype}") if rtype in known else str(rtype or "-")


def status_name_of(ctx: Ctx, status: Any) -> str:
    known = ("new", "acknowledged", "in_progress", "resolved", "closed", "rejected")
    folded = key(str(status or "")).replace(" ", "_")
    return ctx.t(f"rs.status.{folded}") if folded in known else str(status or "-")


def report_view(ctx: Ctx) -> dict[str, Any]:
    r = ctx.slots.get("found") or {}
    return {
        "ref": r.get("ref") or ctx.slots.get("ask_ref") or "-",
        "type_name": type_name_of(ctx, r.get("type")),
        "status_name": status_name_of(ctx, r.get("status")),
        "created": fmt.day(r.get("created_at")),
        "updated": fmt.day(r.get("updated_at")),
    }


def latest_view(ctx: Ctx) -> dict[str, Any]:
    reports = (ctx.slots.get("latest_list") or {}).get("reports") or []
    lines = [
        ctx.t(
            "rs.latest_line",
            ref=r.get("ref", "-"),
            type_name=type_name_of(ctx, r.get("type")),
            status_name=status_name_of(ctx, r.get("status")),
            created=fmt.day(r.get("created_at")),
        )
        for r in reports[:LATEST_LIMIT]
    ]
    return {"lines": "\n".join(lines) if lines else ctx.t("rs.none")}


CONDITIONS.update(
    is_exit_poverty=is_exit_poverty,
    is_birth=is_birth,
    is_other=is_other,
    asks_who=asks_who,
    asks_when=asks_when,
    needs_civil=needs_civil,
    ask_stay=ask_stay,
    relief_plausible=relief_plausible,
    report_found=report_found,
)
GETTERS.update(
    hc_summary=hc_summary,
    hc_done=hc_done,
    hc_civil=hc_civil,
    hc_exit=hc_exit,
    disaster_filed=disaster_filed,
    disaster_done=disaster_done,
    disaster_relief=disaster_relief,
    report_view=report_view,
    latest_view=latest_view,
)
ACTIONS.update(
    household_change_submit=household_change_submit,
    disaster_file=disaster_file,
    disaster_update=disaster_update,
    handover_submit=handover_submit,
    report_find=report_find,
    report_latest=report_latest,
)
