"""``ask_number``: a whole number between ``min`` and ``max`` ("5", "năm", "5 người").

Out of range is a miss whose re-prompt names the range.
"""

from __future__ import annotations

import re

from bot.domain.messages import Reply
from bot.engine import registry
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Answer, Miss, Outcome, Step
from bot.nlu.numbers import parse_count

_NEGATIVE = re.compile(r"(?<![\w])-\s*\d")


class AskNumberStep(Step):
    kind = "ask_number"
    retry_key = "retry.number"

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        values = registry.placeholders(ctx, d.get("getter"))
        return [ctx.reply(ctx.t(str(d.text), **values))]

    def _read(self, d: StepDef, text: str) -> Answer | Miss:
        number = parse_count(text[:200])
        if number is None:
            return Miss()
        if _NEGATIVE.search(text[:200]):
            return Miss("retry.range", {"min": d.get("min", 0), "max": d.get("max", 1000)})
        low, high = int(d.get("min", 0)), int(d.get("max", 1000))
        if not low <= number <= high:
            return Miss("retry.range", {"min": low, "max": high})
        return Answer(number)

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        return self._read(d, ctx.text)

    def prefill(self, ctx: Ctx, d: StepDef, value: str) -> Answer | None:
        result = self._read(d, value)
        return result if isinstance(result, Answer) else None

    def text_keys(self) -> set[str]:
        return {self.retry_key, "retry.range"}
