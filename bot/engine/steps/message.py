"""``message``: say a text (with placeholders from slots and an optional ``getter``), go on.

``when: <condition>`` says it only when the condition holds. ``request`` is passed through.
"""

from __future__ import annotations

from bot.engine import registry
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Auto, Step


class MessageStep(Step):
    kind = "message"
    interactive = False

    def run(self, ctx: Ctx, d: StepDef) -> Auto:
        when = d.get("when")
        if when and not registry.check(ctx, str(when)):
            return Auto()
        values = registry.placeholders(ctx, d.get("getter"))
        return Auto([ctx.reply(ctx.t(str(d.text), **values))])
