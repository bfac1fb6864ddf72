"""The eligibility flow's functions: area, income per person, classification, result texts.

The class is only indicative: the texts say so, name the standard in force on the input's date
and its legal basis, and point to the official path (Mẫu số 01 to the commune chairman), all
from ``data/policy``. The result says only what was asked: above the income line no living
condition is mentioned; after the questions stopped early it says "of those asked". When the
commune's area type is not certain (a phường holding former rural xã), both readings are shown
if they differ. Supports and programmes are listed only when the answers make them plausible.
"""

from __future__ import annotations

from typing import Any

from bot.domain.policy import LoanProgram, Support
from bot.engine import fmt
from bot.engine.context import Ctx
from bot.engine.functions.common import report_args
from bot.engine.registry import ACTIONS, CONDITIONS, GETTERS, HOOKS
from bot.engine.steps.income import per_person_month
from bot.engine.types import JSON, ActionRequest

AREAS = ("rural", "urban")
EVERY_CLASS = {"poor", "near_poor", "average", "above"}
MAY_REQUEST = ("poor", "near_poor")  # classes a household asks the commune to review for


def _name(ctx: Ctx, names: dict[str, str] | None) -> str:
    return (names or {}).get(ctx.lang) or (names or {}).get("vi", "-")


# -- hooks and conditions --------------------------------------------------------------------


def area_from_place(ctx: Ctx) -> JSON:
    """Area type (rural / urban) from the commune; nothing when the place is unknown."""
    code = ctx.slots.get("commune_code")
    commune = ctx.services.places.commune(code) if code else None
    if commune is None:
        return {"area": None, "area_confidence": None}
    return {"area": commune.area_type, "area_confidence": commune.area_confidence}


def area_settled(ctx: Ctx) -> bool:
    """The commune says which area it is (when it is not certain, both lines are shown)."""
    return bool(ctx.slots.get("area"))


def area_uncertain(ctx: Ctx) -> bool:
    return ctx.slots.get("area_confidence") not in (None, "C")


def per_person_income(ctx: Ctx) -> bool:
    """The resident gave the income per person: the household size is not needed."""
    return ctx.slots.get("income_scope") == "per_person"


def income_per_person(ctx: Ctx) -> JSON:
    """Income per person per month from the one income answer."""
    s = ctx.slots
    size = int(s.get("size") or 1)
    amount = int(s.get("income_amount") or 0)
    scope, period = str(s.get("income_scope")), str(s.get("income_period"))
    return {"income": per_person_month(amount, scope, period, size)}


def _lines(ctx: Ctx) -> dict[str, int]:
    """The income line of every area the household may be judged under."""
    standard = ctx.services.policy.standard_on(ctx.today)
    area = str(ctx.slots.get("area") or "rural")
    areas = AREAS if area_uncertain(ctx) else (area,)
    return {a: int(standard.income_line[a]) for a in areas}


def income_above_line(ctx: Ctx) -> bool:
    """Above the line under every reading: the living conditions cannot change the class."""
    return int(ctx.slots.get("income") or 0) > max(_lines(ctx).values())


def classify(ctx: Ctx) -> JSON:
    """Indicative class under the standard in force on the input's date (both areas when the
    area is uncertain: ``klass`` under the commune's recorded type, ``klass_other`` else)."""
    s = ctx.slots
    area = str(s.get("area") or "rural")
    deprived = list(s.get("deprived") or [])
    income = int(s.get("income") or 0)
    result = ctx.services.policy.classify(area, income, deprived, ctx.today)
    other = None
    if area_uncertain(ctx):
        flip = "urban" if area == "rural" else "rural"
        other = ctx.services.policy.classify(flip, income, deprived, ctx.today).klass
    return {
        "klass": result.klass,
        "klass_other": other if other != result.klass else None,
        "standard_id": result.standard.id,
        "line": result.income_line,
        "counted": list(result.counted),
        "deprivations": result.deprivations,
    }


def may_request(ctx: Ctx) -> bool:
    """Poor or near-poor under some reading: worth asking the commune to review."""
    s = ctx.slots
    return s.get("klass") in MAY_REQUEST or s.get("klass_other") in MAY_REQUEST


def is_listed(ctx: Ctx) -> bool:
    return ctx.slots.get("on_list") in ("poor", "near_poor", "newly_escaped")


# -- texts ---------------------------------------------------------------------------------


def _indicator_names(ctx: Ctx, keys: list[str]) -> str:
    names = {i.key: i.name for i in ctx.services.policy.indicators(ctx.today)}
    return ", ".join(_name(ctx, names[k]).lower() for k in keys if k in names)


def _class_name(ctx: Ctx, klass: str) -> str:
    return ctx.t(f"el.class.{klass}")


def _notes(ctx: Ctx) -> list[str]:
    s = ctx.slots
    notes = []
    if s.get("klass_other"):
        area = str(s.get("area") or "rural")
        by_area = {area: s["klass"], ("urban" if area == "rural" else "rural"): s["klass_other"]}
        notes.append(
            ctx.t(
                "el.note_both",
                rural=_class_name(ctx, by_area["rural"]),
                urban=_class_name(ctx, by_area["urban"]),
            )
        )
    if s.get("unknown"):
        notes.append(ctx.t("el.note_unknown", names=_indicator_names(ctx, s["unknown"])))
    if not s.get("commune_code"):
        notes.append(ctx.t("el.note_area_typed"))
    parts = ctx.services.policy.standard_notes(ctx.today)
    wanted = ["indicators"] if s.get("asked") else []
    if s.get("klass") in ("average", "above"):
        wanted.append("average_upper")
    for part in wanted:
        info = parts.get(part) or {}
        if info.get("confidence") != "C" and info.get("note"):
            notes.append(info["note"].get(ctx.lang) or info["note"]["vi"])
    return notes


def eligibility_result(ctx: Ctx) -> dict[str, Any]:
    """Placeholders of ``el.result``: the class, why (only what was asked), notes, standard."""
    s = ctx.slots
    standard = ctx.services.policy.standard_on(ctx.today)
    lines = _lines(ctx)
    area = str(s.get("area") or "rural")
    why = [
        ctx.t(
            "el.why_income",
            income=fmt.money(round(int(s.get("income") or 0), -3), ctx.lang),  # "khoảng"
            lines="; ".join(
                ctx.t("el.line", area_name=ctx.t(f"el.area_name.{a}"), line=fmt.money(v, ctx.lang))
                for a, v in lines.items()
            ),
        )
    ]
    if not s.get("asked"):
        why.append(ctx.t("el.why_not_asked"))
    elif s.get("counted"):
        why.append(
            ctx.t(
                "el.why_deprived",
                n=len(s["counted"]),
                names=_indicator_names(ctx, s["counted"]),
            )
        )
    else:
        why.append(ctx.t("el.why_none_deprived"))
    head = "el.head.above" if s.get("klass") == "above" else "el.head"
    return {
        "head": ctx.t(head, class_name=_class_name(ctx, str(s.get("klass")))),
        "why": " ".join(why),
        "standard": _name(ctx, standard.short or standard.name),
        "notes": "".join(f"\n{n}" for n in _notes(ctx)),
        "area_name": ctx.t(f"el.area_name.{area}"),
    }


def _facts(ctx: Ctx) -> set[str]:
    """What the answers make known true, for the ``requires`` of supports and programmes."""
    s = ctx.slots
    facts = set()
    if s.get("area") == "rural" and not area_uncertain(ctx):
        facts.add("rural")
    if "housing_quality" in (s.get("deprived") or []):
        facts.add("housing_deprived")
    return facts


def _plausible(item: Support | LoanProgram, klass: str, facts: set[str]) -> bool:
    if klass not in item.for_classes or not set(item.requires) <= facts:
        return False
    # Open to every household and needing nothing: not news for this class (see the loans menu).
    return bool(item.requires) or not set(item.for_classes) >= EVERY_CLASS


def _soft(ctx: Ctx, confidence: str) -> str:
    return "" if confidence == "C" else " " + ctx.t("common.to_confirm")


def supports_text(ctx: Ctx, klass: str) -> str:
    """One line of supports and one of programmes plausible for ``klass``; "" when none."""
    policy, day, facts = ctx.services.policy, ctx.today, _facts(ctx)
    supports = [
        _name(ctx, s.name).lower() + _soft(ctx, s.confidence)
        for s in policy.supports_for(klass, day)
        if _plausible(s, klass, facts)
    ]
    loans = [
        _name(ctx, p.short or p.name).lower() + _soft(ctx, p.confidence)
        for p in policy.loan_programs(day)
        if _plausible(p, klass, facts)
    ]
    parts = []
    if supports:
        parts.append(ctx.t("el.supports", items=", ".join(supports)))
    if loans:
        parts.append(ctx.t("el.loans", items=", ".join(loans)))
    return " ".join(parts)


def eligibility_supports(ctx: Ctx) -> dict[str, Any]:
    s = ctx.slots
    klass = str(s.get("klass"))
    if klass not in MAY_REQUEST and s.get("klass_other") in MAY_REQUEST:
        klass = str(s["klass_other"])  # what the household may get if the commune says so
    return {"supports": supports_text(ctx, klass) or ctx.t("el.no_supports")}


def eligibility_listed(ctx: Ctx) -> dict[str, Any]:
    klass = str(ctx.slots.get("on_list"))
    return {
        "class_name": _class_name(ctx, klass),
        "supports": supports_text(ctx, klass) or ctx.t("el.no_supports"),
    }


def eligibility_path(ctx: Ctx) -> dict[str, Any]:
    """How to ask officially, from ``review.yml``: the form, to whom, when the commune meets."""
    info = ctx.services.policy.review_info(ctx.today)
    form = info["forms"]["mau_01"]
    window = info["periodic"]
    during = ""
    if window["open"]:
        during = " " + ctx.t("el.review_open", end=fmt.day(window["end"])[:5])
    return {
        "form": form["number"],
        "to": form["to"].get(ctx.lang) or form["to"]["vi"],
        "day": info["monthly"]["day"],
        "during": during,
    }


def eligibility_save(ctx: Ctx) -> ActionRequest:
    s = ctx.slots
    return ActionRequest(
        "eligibility.save",
        {
            "area": s.get("area") or "rural",
            "income": int(s.get("income") or 0),
            "household_size": int(s["size"]) if s.get("size") else None,  # not asked per person
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
        "class_other_area": s.get("klass_other"),
        "standard": s.get("standard_id"),
        "area": s.get("area"),
        "area_confidence": s.get("area_confidence"),
        "income_per_person": int(s.get("income") or 0),
        "income_answer": {
            "amount": s.get("income_amount"),
            "scope": s.get("income_scope"),
            "period": s.get("income_period"),
        },
        "household_size": int(s["size"]) if s.get("size") else None,
        "deprived": list(s.get("deprived") or []),
        "asked": list(s.get("asked") or []),
        "unknown": list(s.get("unknown") or []),
        "inferred_not_deprived": list(s.get("inferred") or []),
        "place": s.get("place"),
    }
    return ActionRequest(
        "report.submit", report_args(ctx, "eligibility_request", s.get("klass"), details)
    )


HOOKS.update(
    area_from_place=area_from_place, income_per_person=income_per_person, classify=classify
)
CONDITIONS.update(
    income_above_line=income_above_line,
    area_settled=area_settled,
    per_person_income=per_person_income,
    may_request=may_request,
    is_listed=is_listed,
)
GETTERS.update(
    eligibility_result=eligibility_result,
    eligibility_supports=eligibility_supports,
    eligibility_listed=eligibility_listed,
    eligibility_path=eligibility_path,
)
ACTIONS.update(eligibility_save=eligibility_save, eligibility_request=eligibility_request)
