"""The eligibility flow's functions: area, income per person, classification, result texts.

The class is only indicative: the texts say so, name the standard in force on the input's date
and its legal basis, and point to the official path (Mẫu số 01 to the commune chairman).
"""

from __future__ import annotations

from typing import Any

from bot.engine import fmt
from bot.engine.context import Ctx
from bot.engine.functions.common import report_args
from bot.engine.registry import ACTIONS, CONDITIONS, GETTERS, HOOKS
from bot.engine.types import JSON, ActionRequest


def area_from_place(ctx: Ctx) -> JSON:
    """Area type (rural / urban) from the commune; nothing when the place is unknown."""
    code = ctx.slots.get("commune_code")
    commune = ctx.services.places.commune(code) if code else None
    if commune is None:
        return {"area": None, "area_confidence": None}
    return {"area": commune.area_type, "area_confidence": commune.area_confidence}


def income_per_person(ctx: Ctx) -> JSON:
    """Income per person per month from whichever way the resident answered."""
    if ctx.slots.get("income_mode") == "household":
        size = max(int(ctx.slots.get("size") or 1), 1)
        return {"income": int(ctx.slots.get("income_total") or 0) // size}
    return {"income": int(ctx.slots.get("income_pp") or 0)}


def _line(ctx: Ctx) -> int:
    standard = ctx.services.policy.standard_on(ctx.today)
    return int(standard.income_line[str(ctx.slots.get("area") or "rural")])


def income_above_line(ctx: Ctx) -> bool:
    """Above the poverty line the indicators cannot change the class: skip them."""
    return int(ctx.slots.get("income") or 0) > _line(ctx)


def classify(ctx: Ctx) -> JSON:
    """Indicative class under the standard in force on the input's date."""
    result = ctx.services.policy.classify(
        str(ctx.slots.get("area") or "rural"),
        int(ctx.slots.get("income") or 0),
        list(ctx.slots.get("deprived") or []),
        ctx.today,
    )
    return {
        "klass": result.klass,
        "standard_id": result.standard.id,
        "line": result.income_line,
        "counted": list(result.counted),
        "deprivations": result.deprivations,
    }


def _indicator_names(ctx: Ctx, keys: list[str]) -> str:
    names = {i.key: i.name for i in ctx.services.policy.indicators(ctx.today)}
    return ", ".join(names[k].get(ctx.lang) or names[k]["vi"] for k in keys if k in names)


def eligibility_line(ctx: Ctx) -> dict[str, Any]:
    return {
        "line": fmt.money(_line(ctx), ctx.lang),
        "income_text": fmt.money(int(ctx.slots.get("income") or 0), ctx.lang),
    }


def eligibility_result(ctx: Ctx) -> dict[str, Any]:
    """Placeholders of ``el.result``: class, standard, basis, line, income, indicators, notes."""
    standard = ctx.services.policy.standard_on(ctx.today)
    s = ctx.slots
    notes = []
    if s.get("unknown"):
        notes.append(ctx.t("el.note_unknown", names=_indicator_names(ctx, s["unknown"])))
    if s.get("area_confidence") not in (None, "C"):
        notes.append(ctx.t("el.note_area"))
    if not s.get("commune_code"):
        notes.append(ctx.t("el.note_area_typed"))
    counted = _indicator_names(ctx, s.get("counted") or [])
    return {
        "class_name": ctx.t(f"el.class.{s['klass']}"),
        "standard": standard.name.get(ctx.lang) or standard.name["vi"],
        "legal_basis": standard.legal_basis,
        "area_name": ctx.t(f"el.area_name.{s.get('area') or 'rural'}"),
        "line": fmt.money(int(s["line"]), ctx.lang),
        "income_text": fmt.money(int(s.get("income") or 0), ctx.lang),
        "deprivations": s.get("deprivations", 0),
        "counted": counted or ctx.t("el.none"),
        "notes": "".join(f"\n{n}" for n in notes),
    }


def _soft(ctx: Ctx, confidence: str) -> str:
    return "" if confidence == "C" else " " + ctx.t("common.to_confirm")


def eligibility_supports(ctx: Ctx) -> dict[str, Any]:
    """Supports and VBSP programmes that may open for the class (softened when not confirmed)."""
    klass = str(ctx.slots.get("klass"))
    policy, day = ctx.services.policy, ctx.today
    lines = [
        f"• {s.name.get(ctx.lang) or s.name['vi']}{_soft(ctx, s.confidence)}"
        for s in policy.supports_for(klass, day)
    ]
    lines += [
        f"• {ctx.t('el.loan_prefix')} {p.name.get(ctx.lang) or p.name['vi']}"
        f"{_soft(ctx, p.confidence)}"
        for p in policy.loan_programs(day)
        if klass in p.for_classes
    ]
    return {"supports": "\n".join(lines) if lines else ctx.t("el.no_supports")}


def eligibility_save(ctx: Ctx) -> ActionRequest:
    s = ctx.slots
    return ActionRequest(
        "eligibility.save",
        {
            "area": s.get("area") or "rural",
            "income": int(s.get("income") or 0),
            "household_size": int(s.get("size") or 1),
            "deprived": list(s.get("deprived") or []),
            "class": s.get("klass"),
            "standard": s.get("standard_id"),
            "village_id": s.get("village_id"),
        },
    )


def eligibility_request(ctx: Ctx) -> ActionRequest:
    s = ctx.slots
    details = {
        "class": s.get("klass"),
        "standard": s.get("standard_id"),
        "area": s.get("area"),
        "income_per_person": int(s.get("income") or 0),
        "household_size": int(s.get("size") or 1),
        "deprived": list(s.get("deprived") or []),
        "unknown": list(s.get("unknown") or []),
        "place": s.get("place"),
    }
    return ActionRequest(
        "report.submit", report_args(ctx, "eligibility_request", s.get("klass"), details)
    )


HOOKS.update(
    area_from_place=area_from_place, income_per_person=income_per_person, classify=classify
)
CONDITIONS["income_above_line"] = income_above_line
GETTERS.update(
    eligibility_line=eligibility_line,
    eligibility_result=eligibility_result,
    eligibility_supports=eligibility_supports,
)
ACTIONS.update(eligibility_save=eligibility_save, eligibility_request=eligibility_request)
