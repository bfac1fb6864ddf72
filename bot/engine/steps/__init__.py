"""Step kinds, one module each, and the registry ``STEPS`` (kind -> step object).

A test fails when a registered kind has no golden transcript exercising it.
"""

from __future__ import annotations

from bot.engine.steps.action import ActionStep
from bot.engine.steps.ask_number import AskNumberStep
from bot.engine.steps.ask_text import AskTextStep
from bot.engine.steps.base import Answer, Auto, Miss, Outcome, Stay, Step
from bot.engine.steps.branch import BranchStep
from bot.engine.steps.choice import ChoiceStep
from bot.engine.steps.income import IncomeStep
from bot.engine.steps.indicators import IndicatorsStep
from bot.engine.steps.location import LocationStep
from bot.engine.steps.message import MessageStep
from bot.engine.steps.multi_choice import MultiChoiceStep
from bot.engine.steps.photo import PhotoStep
from bot.engine.steps.place import PlaceStep
from bot.engine.steps.yes_no import YesNoStep

STEPS: dict[str, Step] = {
    s.kind: s
    for s in (
        MessageStep(),
        AskTextStep(),
        AskNumberStep(),
        IncomeStep(),
        ChoiceStep(),
        MultiChoiceStep(),
        YesNoStep(),
        PlaceStep(),
        LocationStep(),
        PhotoStep(),
        BranchStep(),
        ActionStep(),
        IndicatorsStep(),
    )
}

__all__ = ["STEPS", "Answer", "Auto", "Miss", "Outcome", "Stay", "Step"]
