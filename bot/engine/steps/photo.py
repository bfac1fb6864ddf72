"""``photo``: an optional photo (or several); a button or "bỏ qua" skips. Skipped on SMS.
Stores the list of provider media references (never bytes), at most five. A voice note or a
video is taken as well (kept with the report for the officer); a sticker is not an answer.
"""

from __future__ import annotations

from bot.domain.messages import Reply
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.steps.ask_text import SKIP_WORDS
from bot.engine.steps.base import Answer, Miss, Outcome, Step

MAX_PHOTOS = 5


class PhotoStep(Step):
    kind = "photo"
    retry_key = "retry.photo"

    def takes(self, ctx: Ctx) -> bool:
        return any(not str(m).startswith("sticker:") for m in ctx.inp.media)

    def auto(self, ctx: Ctx, d: StepDef) -> Answer | None:
        return Answer([], route="skip") if ctx.rendering == "sms" else None

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        skip = ctx.button(ctx.t("photo.skip"), "skip")
        return [ctx.reply(ctx.t(str(d.text)), (skip,), "photo")]

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        media = [str(m)[:500] for m in ctx.inp.media if not str(m).startswith("sticker:")]
        if media:
            return Answer(media[:MAX_PHOTOS], route="photo")
        if ctx.button_value == "skip" or key(ctx.text) in SKIP_WORDS:
            return Answer([], route="skip")
        return Miss()

    def text_keys(self) -> set[str]:
        return {self.retry_key, "photo.skip"}
