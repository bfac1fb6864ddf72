"""``location``: a shared map pin, skippable. On SMS there is no pin: the step is skipped when
the village is already known, otherwise its ``.sms`` text asks to type where the house is.
Stores ``{"lat", "lon"}`` or None; on SMS the typed text goes to ``location_text``.
"""

from __future__ import annotations

from bot.domain.messages import Reply
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.ask_text import SKIP_WORDS
from bot.engine.steps.base import Answer, Miss, Outcome, Step


class LocationStep(Step):
    kind = "location"
    retry_key = "retry.location"

    def auto(self, ctx: Ctx, d: StepDef) -> Answer | None:
        if ctx.rendering == "sms" and ctx.slots.get("commune_code"):
            return Answer(None, route="skip")
        return None

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        if ctx.rendering == "sms":
            return [ctx.reply(ctx.t(str(d.text)))]
        skip = ctx.button(ctx.t("location.skip"), "skip")
        return [ctx.reply(ctx.t(str(d.text)), (skip,), "location")]

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        loc = ctx.inp.location
        if loc is not None and -90 <= loc.lat <= 90 and -180 <= loc.lon <= 180:
            return Answer({"lat": loc.lat, "lon": loc.lon}, route="pin")
        if ctx.button_value == "skip" or key(ctx.text) in SKIP_WORDS:
            return Answer(None, route="skip")
        if ctx.rendering == "sms" and key(ctx.text):
            return Answer(None, route="text", slots={"location_text": ctx.text[:200]})
        return Miss()

    def text_keys(self) -> set[str]:
        return {self.retry_key, "location.skip"}
