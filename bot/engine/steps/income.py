"""``income``: one question for the household's income, as the resident reckons it.

The answer names an amount and may say whose and how long: "60 triệu một năm", "4tr mỗi
tháng", "1tr5 mỗi người", "cả nhà 5 triệu 1 tháng". What it does not say comes from the
question: ``scope`` (``household`` or ``per_person``, default household) and ``period``
(``year`` or ``month``, default year: farmers count by the harvest, and the question asks them
to count rice, maize and animals sold or eaten). The amount is read by
:mod:`bot.nlu.numbers` ("1tr5", "800k", "2 củ"); a bare number ("60") is only a guess and is
confirmed first ("Có phải 60.000.000 đồng không?"). Slots: ``income_amount``,
``income_scope``, ``income_period``; the answer value is the amount.
"""

from __future__ import annotations

import re

from bot.domain.messages import Reply
from bot.engine import fmt, registry
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Answer, Miss, Outcome, Stay, Step
from bot.engine.steps.yes_no import read_yes_no
from bot.engine.types import JSON
from bot.nlu.numbers import guess_money, parse_money
from bot.textnorm import fold_keep_offsets

# Folded phrases (whole words) naming whose income and over how long; removed before the
# amount is read, so "một năm" is never read as the number "one five".
_PER_PERSON = r"(?:moi|mot|1|tung|mm) (?:nguoi|khau|dau nguoi)|binh quan|dau nguoi|/ ?nguoi"
_HOUSEHOLD = r"ca (?:nha|ho|gia dinh)|tong cong|tong"
_MONTH = r"(?:moi|mot|1|hang) thang|/ ?thang|thang"
_YEAR = r"(?:moi|mot|1|hang|ca) nam|/ ?nam|nam nay|mot vu|moi vu"
PERIODS = {"month": 1, "year": 12}


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w/])(?:{pattern})(?!\w)")


def _find(pattern: str, folded: str) -> bool:
    return _words(pattern).search(folded) is not None


def _strip(text: str) -> str:
    """The text without the scope and period words, its numbers untouched ("1.500.000")."""
    text = text.replace("/", " / ")
    folded = fold_keep_offsets(text)  # same length: spans found here cut the original
    keep = [True] * len(text)
    for pattern in (_PER_PERSON, _HOUSEHOLD, _YEAR, _MONTH):
        for m in _words(pattern).finditer(folded):
            keep[m.start() : m.end()] = [False] * (m.end() - m.start())
    kept = "".join(ch if k else " " for ch, k in zip(text, keep, strict=True))
    return re.sub(r"\s+", " ", kept).strip()


def read_income(text: str, d: StepDef) -> tuple[int | None, int | None, JSON]:
    """``(amount, guessed amount, {"income_scope", "income_period"})`` read from ``text``."""
    folded = key(text.replace("/", " / "))
    scope = str(d.get("scope", "household"))
    if _find(_PER_PERSON, folded):
        scope = "per_person"
    elif _find(_HOUSEHOLD, folded):
        scope = "household"
    period = str(d.get("period", "year"))
    if _find(_MONTH, folded):
        period = "month"
    elif _find(_YEAR, folded):
        period = "year"
    rest = _strip(text)
    facts = {"income_scope": scope, "income_period": period}
    amount = parse_money(rest)
    return amount, None if amount is not None else guess_money(rest), facts


def per_person_month(amount: int, scope: str, period: str, size: int) -> int:
    """The income per person per month that the poverty standards compare."""
    per_month = amount // PERIODS.get(period, 12)
    return per_month // max(size, 1) if scope == "household" else per_month


class IncomeStep(Step):
    kind = "income"
    retry_key = "retry.income"

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        guess = ctx.pending.get("guess")
        if guess is not None:
            buttons = (ctx.button(ctx.t("yn.yes"), "yes"), ctx.button(ctx.t("yn.no"), "no"))
            return [ctx.reply(ctx.t("money.confirm", amount=fmt.money(guess, ctx.lang)), buttons)]
        values = registry.placeholders(ctx, d.get("getter"))
        return [ctx.reply(ctx.t(str(d.text), **values))]

    def _bounded(self, d: StepDef, value: int, facts: JSON) -> Answer | Miss:
        if not 0 <= value <= int(d.get("max", 5_000_000_000)):
            return Miss("retry.money_range")
        return Answer(value, slots={"income_amount": value, **facts})

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        guess = ctx.pending.get("guess")
        if guess is not None:
            yn = read_yes_no(ctx.button_value or ctx.text)
            if yn == "yes":
                return self._bounded(d, int(guess), dict(ctx.pending.get("facts") or {}))
            if yn == "no":
                return Stay(None, notes=[ctx.t("money.again")])
        amount, guessed, facts = read_income(ctx.text[:200], d)
        if amount is not None:
            return self._bounded(d, amount, facts)
        if guessed is not None:
            return Stay({"guess": guessed, "facts": facts, "tok": "g"})
        return Miss()

    def prefill(self, ctx: Ctx, d: StepDef, value: str) -> Answer | None:
        amount, _, facts = read_income(value, d)
        if amount is None and value.isdecimal():
            amount = int(value)
        if amount is None:
            return None
        result = self._bounded(d, amount, facts)
        return result if isinstance(result, Answer) else None

    def text_keys(self) -> set[str]:
        return {self.retry_key, "retry.money_range", "money.confirm", "money.again"}
