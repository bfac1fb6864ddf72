"""``indicators``: the deprivation questions of the standard in force on the input's date.

Asks ``PolicyService.indicators(day)`` one by one (Có / Không / Không biết), skipping those
whose ``ask_if`` household fact (a slot such as ``has_children_3_15``) is not true. "Có" means
deprived; "không biết" counts as not deprived and is listed in the ``unknown`` slot so the
result can say so. The answer is the list of deprived indicator keys.
"""

from __future__ import annotations

from bot.domain.messages import Reply
from bot.domain.policy import Indicator
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Answer, Miss, Outcome, Stay, Step
from bot.engine.steps.yes_no import read_yes_no
from bot.engine.types import JSON


def applicable(ctx: Ctx) -> list[Indicator]:
    """The indicators to ask, in the standard's order."""
    return [
        ind
        for ind in ctx.services.policy.indicators(ctx.today)
        if not ind.ask_if or ctx.slots.get(ind.ask_if)
    ]


class IndicatorsStep(Step):
    kind = "indicators"
    retry_key = "retry.yes_no"

    def auto(self, ctx: Ctx, d: StepDef) -> Answer | None:
        return Answer([], slots={"unknown": []}) if not applicable(ctx) else None

    def initial_pending(self, ctx: Ctx, d: StepDef) -> JSON | None:
        return {"i": 0, "tok": "0", "d": [], "u": []}

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        inds = applicable(ctx)
        i = min(int(ctx.pending.get("i", 0)), len(inds) - 1)
        question = inds[i].question.get(ctx.lang) or inds[i].question.get("vi", "")
        text = ctx.t("ind.question", n=i + 1, total=len(inds), question=question)
        buttons = tuple(ctx.button(ctx.t(f"yn.{v}"), v) for v in ("yes", "no", "unknown"))
        return [ctx.reply(text, buttons)]

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        answer = read_yes_no(ctx.button_value or ctx.text)
        if answer is None:
            return Miss()
        inds = applicable(ctx)
        i = min(int(ctx.pending.get("i", 0)), len(inds) - 1)
        deprived, unknown = list(ctx.pending.get("d", [])), list(ctx.pending.get("u", []))
        if answer == "yes":
            deprived.append(inds[i].key)
        elif answer == "unknown":
            unknown.append(inds[i].key)
        if i + 1 >= len(inds):
            return Answer(deprived, slots={"unknown": unknown})
        return Stay({"i": i + 1, "tok": str(i + 1), "d": deprived, "u": unknown})

    def text_keys(self) -> set[str]:
        return {self.retry_key, "ind.question", "yn.yes", "yn.no", "yn.unknown"}
