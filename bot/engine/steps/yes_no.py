"""``yes_no``: "Có" / "Không" buttons, or the many ways villagers type them.

Stores True / False (None for "không biết" when ``unknown: true``) and routes ``yes`` / ``no``
/ ``unknown``. SMS: "1" is yes, "2" is no, "3" is "không biết".
"""

from __future__ import annotations

from bot.domain.messages import Reply
from bot.engine import registry
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Answer, Miss, Outcome, Step

YES = {
    "co", "u", "uh", "um", "uk", "vang", "da", "ok", "oke", "okay", "dung", "yes", "y", "1",
    "co a", "vang a", "da co", "dung roi", "phai", "co chu", "da vang", "dung vay", "yep",
}  # fmt: skip
NO = {
    "khong", "ko", "k", "kg", "kh", "hong", "hem", "no", "n", "2", "khong a", "ko a",
    "chua", "khong co", "ko co", "k co", "sai", "khong phai", "ko phai", "nope",
}  # fmt: skip
UNKNOWN = {
    "khong biet", "ko biet", "k biet", "kb", "chua biet", "khong ro", "ko ro", "k ro",
    "khong chac", "ko chac", "dont know", "don t know", "not sure", "3", "?",
}  # fmt: skip


def read_yes_no(text: str) -> str | None:
    """``"yes"``, ``"no"``, ``"unknown"`` or None for ``text`` (a button value or typed)."""
    folded = key(text)
    if text in ("yes", "no", "unknown"):
        return text
    if folded in UNKNOWN or text.strip() == "?":
        return "unknown"
    if folded in YES:
        return "yes"
    if folded in NO:
        return "no"
    return None


class YesNoStep(Step):
    kind = "yes_no"
    retry_key = "retry.yes_no"

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        buttons = [ctx.button(ctx.t("yn.yes"), "yes"), ctx.button(ctx.t("yn.no"), "no")]
        if d.get("unknown"):
            buttons.append(ctx.button(ctx.t("yn.unknown"), "unknown"))
        values = registry.placeholders(ctx, d.get("getter"))
        return [ctx.reply(ctx.t(str(d.text), **values), tuple(buttons))]

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        answer = read_yes_no(ctx.button_value or ctx.text)
        if answer == "unknown" and not d.get("unknown"):
            answer = None
        if answer is None:
            return Miss()
        value = {"yes": True, "no": False}.get(answer)
        return Answer(value, route=answer)

    def prefill(self, ctx: Ctx, d: StepDef, value: str) -> Answer | None:
        answer = read_yes_no(value)
        if answer in ("yes", "no"):
            return Answer(answer == "yes", route=answer)
        return None

    def text_keys(self) -> set[str]:
        return {self.retry_key, "yn.yes", "yn.no", "yn.unknown"}
