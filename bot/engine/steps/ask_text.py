"""``ask_text``: a short free-text answer (who, when, a reason, a reference code).

Settings: ``max_len`` (default 500; longer text is cut, not refused), ``validate`` (a named
validator returning the value or None: "có", "ok" or "không" is not a person's name, "hôm qua"
becomes a date), ``skip`` (a text key: a button that answers ``skip_value``, default None),
``options`` (buttons answered by their value; e.g. "my latest reports"), ``text_by`` (a slot:
the question is ``<text>.<slot value>`` when that key exists, so a birth asks for the baby and
a death for who died). Empty or symbol-only text is not an answer.
"""

from __future__ import annotations

from typing import Any

from bot.domain.messages import Reply
from bot.engine import registry
from bot.engine.commands import key, title_key
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Answer, Miss, Outcome, Step

SKIP_WORDS = {"bo qua", "skip", "khong co", "ko co", "k co", "khong", "ko", "k"}


def question_key(ctx: Ctx, d: StepDef) -> str:
    """The step's text key, or its variant for the value of the ``text_by`` slot."""
    by = d.get("text_by")
    if by:
        variant = f"{d.text}.{ctx.slots.get(str(by))}"
        if ctx.catalog.has(variant):
            return variant
    return str(d.text)


class AskTextStep(Step):
    kind = "ask_text"
    retry_key = "retry.text"

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        buttons = [ctx.button(ctx.t(o.title), o.value) for o in d.options]
        if d.get("skip"):
            buttons.append(ctx.button(ctx.t(str(d.get("skip"))), "skip"))
        values = registry.placeholders(ctx, d.get("getter"))
        return [ctx.reply(ctx.t(question_key(ctx, d), **values), tuple(buttons))]

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        value = ctx.button_value
        folded = key(ctx.text)
        if value is None:
            for n, o in enumerate(d.options, 1):
                if folded in (title_key(ctx.t(o.title)), str(n), *o.match):
                    value = o.value
        if value is not None:
            if value == "skip" and d.get("skip"):
                return Answer(d.get("skip_value"), route="skip")
            if any(o.value == value for o in d.options):
                return Answer(value, route=value)
            return Miss()
        if d.get("skip") and folded in SKIP_WORDS:
            return Answer(d.get("skip_value"), route="skip")
        if not folded:  # empty, emoji only, punctuation only
            return Miss()
        text: Any = ctx.text[: int(d.get("max_len", 500))]
        validator = d.get("validate")
        if validator:
            text = registry.VALIDATORS[str(validator)](ctx, text)
            if text is None:
                return Miss()
        return Answer(text, route="text")

    def prefill(self, ctx: Ctx, d: StepDef, value: str) -> Answer | None:
        return Answer(value[: int(d.get("max_len", 500))], route="text") if value else None
