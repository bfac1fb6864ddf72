"""``multi_choice``: several options; buttons toggle (a tick shows the choice), "Xong" ends.

Typed "1,3" or "1 3" (SMS) or titles separated by commas answer at once. An option listed in
``exclusive`` (e.g. ``none``: "Không có ai") answers the question at once, alone. While nothing
is ticked, a step with an exclusive option shows no "Xong" (the exclusive option is the way to
say "none"); once something is ticked, the exclusive options give way to "Xong". So a step of
four options and "Không có ai" never shows more than five buttons, Zalo's limit per message, and
"Xong" is never pushed into a separate message. The answer is the list of chosen values.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain.messages import Reply
from bot.engine import registry
from bot.engine.commands import key, title_key
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Answer, Miss, Outcome, Stay, Step
from bot.engine.steps.choice import options

_NUMBERS = re.compile(r"^\s*\d{1,2}(?:\s*[,;.\s]\s*\d{1,2})*\s*$")
DONE_WORDS = {"xong", "done", "ok", "het", "vay thoi", "the thoi"}


class MultiChoiceStep(Step):
    kind = "multi_choice"
    retry_key = "retry.multi"

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        chosen = set(ctx.pending.get("sel", []))
        exclusive = set(d.get("exclusive", ()))
        buttons = [
            ctx.button(("✓ " if v in chosen else "") + title, str(i))
            for i, (v, title, _) in enumerate(options(ctx, d), 1)
            if not (chosen and v in exclusive)
        ]
        if chosen or not exclusive:
            buttons.append(ctx.button(ctx.t("multi.done"), "done"))
        values = registry.placeholders(ctx, d.get("getter"))
        return [ctx.reply(ctx.t(str(d.text), **values), tuple(buttons))]

    def _normalise(self, d: StepDef, chosen: list[str], last: str | None) -> list[str]:
        exclusive = set(d.get("exclusive", ()))
        if last is not None and last in exclusive:
            return [last]
        return [v for v in chosen if v not in exclusive] if last else chosen

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        opts = options(ctx, d)
        values = [v for v, _, _ in opts]
        chosen: list[str] = list(ctx.pending.get("sel", []))
        if ctx.button_value == "done" or key(ctx.text) in DONE_WORDS:
            return Answer([v for v in values if v in chosen])
        if ctx.button_value is not None:
            n = int(ctx.button_value) if ctx.button_value.isdecimal() else 0
            if not 1 <= n <= len(opts):
                return Miss()
            value = values[n - 1]
            if value in set(d.get("exclusive", ())):
                return Answer([value])  # "Không có ai" says it all
            chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
            chosen = self._normalise(d, chosen, value if value in chosen else None)
            return Stay({"sel": chosen}, push=False)
        picked = self._typed(ctx, opts)
        if not picked:
            return Miss()
        result: list[str] = []
        for value in picked:
            result = self._normalise(d, [*result, value], value)
        return Answer([v for v in values if v in result])

    def _typed(self, ctx: Ctx, opts: list[tuple[str, str, tuple[str, ...]]]) -> list[str]:
        """Values named by "1,3" / "1 3" or by comma-separated titles; [] when any is unclear."""
        if _NUMBERS.match(ctx.text):
            numbers = [int(n) for n in re.findall(r"\d+", ctx.text)]
            if all(1 <= n <= len(opts) for n in numbers):
                return [opts[n - 1][0] for n in numbers]
            return []
        picked = []
        parts = [
            p for raw in re.split(r"[,;+]", ctx.text) for p in re.split(r" va | and ", key(raw))
        ]
        for part in (p.strip() for p in parts):
            if not part:
                continue
            hits = [v for v, t, m in opts if part == title_key(t) or part in m]
            if len(hits) != 1:
                return []
            picked.append(hits[0])
        return picked

    def prefill(self, ctx: Ctx, d: StepDef, value: str) -> Answer | None:
        session = {**ctx.session, "pending": {}}
        probe = replace(ctx, session=session, text=value, events=[])
        result = self.handle(probe, d)
        return result if isinstance(result, Answer) else None

    def text_keys(self) -> set[str]:
        return {self.retry_key, "multi.done"}
