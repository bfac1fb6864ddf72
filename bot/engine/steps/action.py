"""``action``: emit the ActionRequest built by the named ``action`` function.

The pipeline runs it and calls ``Engine.resume``; the result is stored under ``save`` (default:
the step id) for later texts, then the flow goes on. ``quay lại`` cannot cross an action.
"""

from __future__ import annotations

from bot.engine import registry
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.base import Auto, Step


class ActionStep(Step):
    kind = "action"
    interactive = False

    def run(self, ctx: Ctx, d: StepDef) -> Auto:
        return Auto(action=registry.ACTIONS[str(d.get("action"))](ctx))
