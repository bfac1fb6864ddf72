"""``choice``: one of several options, as buttons.

The answer may be the button, the 1-based number (SMS), the title typed with or without
diacritics, or a text in which exactly one option's ``match`` words appear ("nha bi ngap" ->
flood). Options are fixed (``options`` with text keys) or computed (``options_from``: a named
function returning ``(value, title)``). Buttons carry the option number, so payloads stay short.
``also`` maps more values to their match words: answers a resident may type or an NLU entity
may name (``marriage``: "cưới") without a button of their own, to keep the list short.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain.messages import Reply
from bot.engine import registry
from bot.engine.commands import key, title_key
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Answer, Miss, Outcome, Step

_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def options(ctx: Ctx, d: StepDef) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(value, title, match words)`` of each option, in order."""
    source = d.get("options_from")
    if source:
        return [(v, t, ()) for v, t in registry.OPTIONS[str(source)](ctx)]
    return [(o.value, ctx.t(o.title), o.match) for o in d.options]


def pick(ctx: Ctx, opts: list[tuple[str, str, tuple[str, ...]]]) -> int | None:
    """The 0-based index of the option the input names, or None."""
    if ctx.button_value is not None:
        n = int(ctx.button_value) if ctx.button_value.isdecimal() else 0
        return n - 1 if 1 <= n <= len(opts) else None
    m = _NUMBER.match(ctx.text)
    if m:
        n = int(m.group(1))
        return n - 1 if 1 <= n <= len(opts) else None
    folded = key(ctx.text)
    if not folded:
        return None
    for i, (_, title, _words) in enumerate(opts):
        if folded == title_key(title):
            return i
    words = f" {folded} "
    hits = [i for i, (_, _, match) in enumerate(opts) if any(f" {w} " in words for w in match)]
    return hits[0] if len(set(hits)) == 1 else None


class ChoiceStep(Step):
    kind = "choice"
    retry_key = "retry.choice"

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        opts = options(ctx, d)
        buttons = tuple(ctx.button(title, str(i)) for i, (_, title, _) in enumerate(opts, 1))
        values = registry.placeholders(ctx, d.get("getter"))
        return [ctx.reply(ctx.t(str(d.text), **values), buttons)]

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        opts = options(ctx, d)
        i = pick(ctx, opts)
        if i is None:
            extra = _also(ctx, d, ctx.text)
            return Answer(extra, route=extra) if extra else Miss(kw={"n": len(opts)})
        return Answer(opts[i][0], route=opts[i][0])

    def prefill(self, ctx: Ctx, d: StepDef, value: str) -> Answer | None:
        opts = options(ctx, d)
        for v, _, _ in opts:
            if v == value:
                return Answer(v, route=v)
        if value in (d.get("also") or {}):
            return Answer(value, route=value)
        probe = replace(ctx, text=value, events=[])
        i = pick(probe, opts)
        return Answer(opts[i][0], route=opts[i][0]) if i is not None else None


def _also(ctx: Ctx, d: StepDef, text: str) -> str | None:
    """The one ``also`` value whose match words appear in ``text``, or None."""
    if ctx.button_value is not None:
        return None
    words = f" {key(text)} "
    hits = [
        v for v, match in (d.get("also") or {}).items() if any(f" {w} " in words for w in match)
    ]
    return str(hits[0]) if len(hits) == 1 else None
