"""``ask_money``: an amount in đồng via :mod:`bot.nlu.numbers` ("1tr5", "800k", "2 củ").

A bare number ("1500", "1.5") is only a guess: the step asks "Có phải 1.500.000 đồng không?"
(sub-state ``{"guess": v}``) and takes it on "có", asks again on "không". ``min``/``max``
bound the amount (default 0 .. 1 tỷ).
"""

from __future__ import annotations

from bot.domain.messages import Reply
from bot.engine import fmt, registry
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Answer, Miss, Outcome, Stay, Step
from bot.engine.steps.yes_no import read_yes_no
from bot.nlu.numbers import guess_money, parse_money


class AskMoneyStep(Step):
    kind = "ask_money"
    retry_key = "retry.money"

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        guess = ctx.pending.get("guess")
        if guess is not None:
            buttons = (ctx.button(ctx.t("yn.yes"), "yes"), ctx.button(ctx.t("yn.no"), "no"))
            return [ctx.reply(ctx.t("money.confirm", amount=fmt.money(guess, ctx.lang)), buttons)]
        values = registry.placeholders(ctx, d.get("getter"))
        return [ctx.reply(ctx.t(str(d.text), **values))]

    def _bounded(self, d: StepDef, value: int) -> Answer | Miss:
        low, high = int(d.get("min", 0)), int(d.get("max", 1_000_000_000))
        if not low <= value <= high:
            return Miss("retry.money_range")
        return Answer(value)

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        guess = ctx.pending.get("guess")
        if guess is not None:
            yn = read_yes_no(ctx.button_value or ctx.text)
            if yn == "yes":
                return Answer(int(guess))
            if yn == "no":
                return Stay(None, notes=[ctx.t("money.again")])
        text = ctx.text[:200]
        value = parse_money(text)
        if value is not None:
            return self._bounded(d, value)
        guessed = guess_money(text)
        if guessed is not None:
            return Stay({"guess": guessed, "tok": "g"})
        return Miss()

    def prefill(self, ctx: Ctx, d: StepDef, value: str) -> Answer | None:
        amount = int(value) if value.isdigit() else parse_money(value)
        if amount is None:
            return None
        result = self._bounded(d, amount)
        return result if isinstance(result, Answer) else None

    def text_keys(self) -> set[str]:
        return {self.retry_key, "retry.money_range", "money.confirm", "money.again"}
