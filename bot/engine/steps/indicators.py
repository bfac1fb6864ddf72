"""``indicators``: the deprivation questions of the standard in force on the input's date.

Asks ``PolicyService.indicators(day)`` one by one, as the data says: a yes/no question whose
``deprived_if`` answer means deprived, or a choice of what the household has; "Không biết" is
always offered and counts as not deprived (listed in the ``unknown`` slot for the result).

Fewer questions, never a wrong count:

- an indicator whose ``ask_if`` household fact is known false does not apply;
- on a chat app (Telegram, Zalo) someone in the household uses a smartphone with internet: the
  ``not_deprived_on_chat_apps`` indicators are answered without asking (slot ``inferred``);
- an indicator whose ``skip_if_deprived`` names one already deprived repeats that fact: it is
  neither asked nor counted;
- the questions stop as soon as the class can no longer change: ``min_deprivations`` reached
  (poor), or too few questions left to reach it (near-poor).

The answer is the list of deprived keys; ``asked`` lists the keys actually asked, so the result
never reports on a question that was not put.
"""

from __future__ import annotations

from bot.domain.messages import Reply
from bot.domain.policy import Indicator
from bot.engine.commands import key, title_key
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Answer, Miss, Outcome, Stay, Step
from bot.engine.steps.yes_no import read_yes_no
from bot.engine.types import JSON

CHAT_APPS = ("telegram", "zalo")


def applicable(ctx: Ctx) -> list[Indicator]:
    """The indicators that may be asked, in the standard's order."""
    on_app = ctx.rendering in CHAT_APPS
    return [
        ind
        for ind in ctx.services.policy.indicators(ctx.today)
        if not (ind.ask_if and ctx.slots.get(ind.ask_if) is False)
        and not (on_app and ind.not_deprived_on_chat_apps)
    ]


def inferred(ctx: Ctx) -> list[str]:
    """Indicators answered "not deprived" from the channel alone."""
    if ctx.rendering not in CHAT_APPS:
        return []
    return [i.key for i in ctx.services.policy.indicators(ctx.today) if i.not_deprived_on_chat_apps]


def _open(ind: Indicator, deprived: list[str]) -> bool:
    return not set(ind.skip_if_deprived) & set(deprived)


def _next(inds: list[Indicator], start: int, deprived: list[str]) -> int | None:
    return next((j for j in range(start, len(inds)) if _open(inds[j], deprived)), None)


def _decided(ctx: Ctx, inds: list[Indicator], start: int, deprived: list[str]) -> bool:
    """Whether the answers still to come cannot change the class."""
    need = ctx.services.policy.standard_on(ctx.today).min_deprivations
    left = sum(1 for j in range(start, len(inds)) if _open(inds[j], deprived))
    return len(deprived) >= need or len(deprived) + left < need


def _choices(ctx: Ctx, ind: Indicator) -> list[tuple[str, str]]:
    """``(button value, title)`` of one question: its options or yes / no, then unknown."""
    if ind.options:
        opts = [(f"o{n}", label.get(ctx.lang) or label["vi"]) for n, (label, _) in
                enumerate(ind.options, 1)]  # fmt: skip
    else:
        opts = [("yes", ctx.t("yn.yes")), ("no", ctx.t("yn.no"))]
    return [*opts, ("unknown", ctx.t("yn.unknown"))]


def _read(ctx: Ctx, ind: Indicator) -> bool | str | None:
    """True / False (deprived or not), ``"unknown"``, or None when the input is no answer."""
    choices = _choices(ctx, ind)
    value = ctx.button_value
    if value is None:
        folded = key(ctx.text)
        if folded.isdecimal() and 1 <= int(folded) <= len(choices):
            value = choices[int(folded) - 1][0]
        else:
            value = next((v for v, title in choices if folded and folded == title_key(title)), None)
    if value is None or value in ("yes", "no", "unknown"):
        answer = read_yes_no(value or ctx.text)
        if answer == "unknown":
            return "unknown"
        if answer is None or ind.options:
            return None
        return answer == ind.deprived_if
    if value.startswith("o") and value[1:].isdecimal() and 1 <= int(value[1:]) <= len(ind.options):
        return ind.options[int(value[1:]) - 1][1]
    return None


class IndicatorsStep(Step):
    kind = "indicators"
    retry_key = "retry.choice"

    def _done(self, ctx: Ctx, deprived: list[str], unknown: list[str], asked: list[str]) -> Answer:
        slots = {"unknown": unknown, "asked": asked, "inferred": inferred(ctx)}
        return Answer(deprived, slots=slots)

    def auto(self, ctx: Ctx, d: StepDef) -> Answer | None:
        inds = applicable(ctx)
        first = _next(inds, 0, [])
        if first is None or _decided(ctx, inds, 0, []):
            return self._done(ctx, [], [], [])
        return None

    def initial_pending(self, ctx: Ctx, d: StepDef) -> JSON | None:
        first = _next(applicable(ctx), 0, []) or 0
        return {"i": first, "tok": str(first), "d": [], "u": [], "a": []}

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        inds = applicable(ctx)
        ind = inds[min(int(ctx.pending.get("i", 0)), len(inds) - 1)]
        question = ind.question.get(ctx.lang) or ind.question.get("vi", "")
        n = len(ctx.pending.get("a", [])) + 1
        text = ctx.t("ind.question", n=n, total=len(inds), question=question)
        buttons = tuple(ctx.button(title, value) for value, title in _choices(ctx, ind))
        return [ctx.reply(text, buttons)]

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        inds = applicable(ctx)
        i = min(int(ctx.pending.get("i", 0)), len(inds) - 1)
        answer = _read(ctx, inds[i])
        if answer is None:
            return Miss(kw={"n": len(_choices(ctx, inds[i]))})
        deprived, unknown = list(ctx.pending.get("d", [])), list(ctx.pending.get("u", []))
        asked = [*ctx.pending.get("a", []), inds[i].key]
        if answer == "unknown":
            unknown.append(inds[i].key)
        elif answer is True:
            deprived.append(inds[i].key)
        nxt = _next(inds, i + 1, deprived)
        if nxt is None or _decided(ctx, inds, i + 1, deprived):
            return self._done(ctx, deprived, unknown, asked)
        return Stay({"i": nxt, "tok": str(nxt), "d": deprived, "u": unknown, "a": asked})

    def text_keys(self) -> set[str]:
        return {self.retry_key, "ind.question", "yn.yes", "yn.no", "yn.unknown"}
