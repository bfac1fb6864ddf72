"""Loans and notice subscriptions: VBSP programmes in force on the input's date, topics."""

from __future__ import annotations

from typing import Any

from bot.domain.policy import LoanProgram
from bot.engine import fmt
from bot.engine.context import Ctx
from bot.engine.functions.common import TOPICS, topic_names
from bot.engine.registry import ACTIONS, GETTERS, OPTIONS
from bot.engine.types import ActionRequest


def _programs(ctx: Ctx) -> list[LoanProgram]:
    return ctx.services.policy.loan_programs(ctx.today)


def loan_programs(ctx: Ctx) -> list[tuple[str, str]]:
    """The programmes in force, by their short names (a numbered list on SMS)."""
    return [(p.key, _text(ctx, p.short or p.name)) for p in _programs(ctx)]


def _text(ctx: Ctx, names: dict[str, str]) -> str:
    return names.get(ctx.lang) or names["vi"]


def loan_detail(ctx: Ctx) -> dict[str, Any]:
    """One programme's values; any value not confirmed ([P]/[U]) says the bank will confirm."""
    chosen = str(ctx.slots.get("program"))
    program = next((p for p in _programs(ctx) if p.key == chosen), None)
    if program is None:
        return {
            "name": "-",
            "who": "-",
            "rate": "-",
            "ceiling": "-",
            "term": "-",
            "basis": "-",
            "soft": "",
        }
    lang, unknown = ctx.lang, ctx.t("ln.unknown")
    soft = "" if program.confidence == "C" else " " + ctx.t("ln.to_confirm")
    note = program.max_note.get(lang) or program.max_note.get("vi") if program.max_note else None
    ceiling = fmt.millions(program.max_amount, lang) if program.max_amount else None
    if ceiling and note:
        # "100 triệu đồng" and a note that already says "Tối đa 100 triệu đồng..." -> the note
        number = ceiling.split(" ")[0]
        ceiling = note if number in note else f"{ceiling} ({note[:1].lower()}{note[1:]})"
    ceiling = ceiling or note or unknown
    rate = unknown
    if program.rate_percent:
        rate = ctx.t(
            "ln.rate",
            percent=fmt.percent(program.rate_percent, lang),
            monthly=fmt.money(fmt.per_million_month(program.rate_percent), lang),
            unit=fmt.millions(1_000_000, lang),
        )
    return {
        "name": program.name.get(lang) or program.name["vi"],
        "who": program.who.get(lang) or program.who.get("vi", "-"),
        "rate": rate,
        "ceiling": ceiling,
        "term": ctx.t("ln.months", n=program.term_months) if program.term_months else unknown,
        "basis": program.legal_basis,
        "soft": soft,
    }


def loans_path(ctx: Ctx) -> dict[str, Any]:
    """How a loan is reached, from ``review.yml`` (the village savings-and-loan group)."""
    text = ctx.services.policy.review_info(ctx.today)["loans_path"]["text"]
    return {"path": text.get(ctx.lang) or text["vi"]}


def subscribe_set(ctx: Ctx) -> ActionRequest:
    topics = [t for t in ctx.slots.get("topics") or [] if t in TOPICS]
    return ActionRequest("subscription.set", {"topics": topics, "on": True})


def unsubscribe_all(ctx: Ctx) -> ActionRequest:
    return ActionRequest("subscription.set", {"topics": list(TOPICS), "on": False})


def sub_topics(ctx: Ctx) -> dict[str, Any]:
    result = ctx.slots.get("sub") or {}
    active = list(result.get("topics") or ctx.slots.get("topics") or [])
    return {"topic_names": topic_names(ctx, active) or ctx.t("topic.none")}


OPTIONS["loan_programs"] = loan_programs
GETTERS.update(loan_detail=loan_detail, loans_path=loans_path, sub_topics=sub_topics)
ACTIONS.update(subscribe_set=subscribe_set, unsubscribe_all=unsubscribe_all)
