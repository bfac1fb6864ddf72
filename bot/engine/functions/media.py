"""Voice notes, stickers, photos, videos and files: a short, kind answer and a way to go on.

Adapters put each attachment in ``Input.media`` as ``"<kind>:<provider ref>"`` with kind one of
:data:`KINDS` (``voice:AwACAgIAAx...``, ``photo:https://...``); a reference without a known kind
is a photo (older adapters sent photos only).

- In a flow, a step that does not take media (only ``photo`` steps do) answers with one line
  saying what the bot cannot do with it and asks its question again. When the flow files a
  report (a step with ``attach_media: true``), the attachment is kept in the ``media`` slot and
  goes to the officer with the report, and the line says so.
- Outside a flow, a voice note, photo, video or file starts ``media_note``: "em chuyển lời nhắn
  thoại này cho cán bộ xã nhé?"; a sticker gets thanks and the menu.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.messages import Reply
from bot.engine.context import Ctx
from bot.engine.flows import FlowDef, StepDef
from bot.engine.functions.common import report_args
from bot.engine.registry import ACTIONS, GETTERS
from bot.engine.steps.base import Answer, Outcome, Stay, Step
from bot.engine.types import ActionRequest

KINDS = ("photo", "voice", "sticker", "video", "file")
MAX_KEPT = 10  # attachments kept with one report
NOTE_FLOW = "media_note"
Out = tuple[list[Reply], ActionRequest | None]


def parse(ref: str) -> tuple[str, str]:
    """``"voice:AwAC..."`` -> ``("voice", "AwAC...")``; a bare reference is a photo."""
    kind, sep, rest = ref.partition(":")
    if sep and kind in KINDS:
        return kind, rest
    return "photo", ref


def kind_of(media: Sequence[str]) -> str:
    """The kind a message's attachments are named by: voice before video before photo..."""
    kinds = {parse(m)[0] for m in media}
    return next((k for k in ("voice", "video", "photo", "file", "sticker") if k in kinds), "file")


def keepable(media: Sequence[str]) -> list[str]:
    """The attachments worth keeping for an officer (a sticker is not)."""
    return [str(m)[:500] for m in media if parse(str(m))[0] != "sticker"]


def keeps_media(flow: FlowDef) -> bool:
    """Whether ``flow`` files a report that carries the resident's attachments."""
    return any(d.get("attach_media") for d in flow.steps.values())


def in_flow(ctx: Ctx, d: StepDef, step: Step) -> Outcome:
    """The outcome for attachments at a step that does not take them.

    A caption that answers the step is its answer (the attachments are kept alongside);
    otherwise the step stays where it is with one line about the attachment.
    """
    kept = keeps_media(ctx.require_flow())
    slots: dict[str, Any] = {}
    extra = keepable(ctx.inp.media) if kept else []
    if extra:
        slots["media"] = [*(ctx.slots.get("media") or []), *extra][-MAX_KEPT:]
    if ctx.text:
        outcome = step.handle(ctx, d)
        if isinstance(outcome, Answer):
            outcome.slots.update(slots)
            return outcome
    kind = kind_of(ctx.inp.media)
    note = ctx.t(f"media.{kind}.kept" if extra else f"media.{kind}")
    return Stay(dict(ctx.pending) or None, slots=slots, notes=[note], push=False)


def outside(ctx: Ctx) -> Out:
    """Attachments while no flow runs: offer to pass them on, or thank for a sticker."""
    from bot.engine import runner  # the runner imports this module
    from bot.engine.menu import clear_flow, menu_reply

    refs = keepable(ctx.inp.media)
    if not refs or NOTE_FLOW not in ctx.flows:
        return [menu_reply(ctx, "media.sticker_menu")], None
    clear_flow(ctx.session)
    ctx.session["flow"] = NOTE_FLOW
    ctx.slots["media"] = refs[:MAX_KEPT]
    ctx.slots["media_kind"] = kind_of(ctx.inp.media)
    return runner.enter(ctx, ctx.flows[NOTE_FLOW].first)


def media_offer(ctx: Ctx) -> dict[str, Any]:
    """``{cannot}`` ("Em chưa nghe được tin nhắn thoại.") and ``{kind_name}`` of what was sent."""
    kind = str(ctx.slots.get("media_kind") or "file")
    return {"cannot": ctx.t(f"media.cannot.{kind}"), "kind_name": ctx.t(f"media.name.{kind}")}


def media_done(ctx: Ctx) -> dict[str, Any]:
    result = ctx.slots.get("submit") or {}
    return {**media_offer(ctx), "ref": str(result.get("ref") or "-")}


def media_submit(ctx: Ctx) -> ActionRequest:
    """A handover report carrying the attachments for an officer to hear or see."""
    media = list(ctx.slots.get("media") or [])
    kinds = sorted({parse(m)[0] for m in media})
    details = {"reason": None, "from_flow": NOTE_FLOW, "media_kinds": kinds}
    args = report_args(ctx, "handover", "media", details)
    args["photos"] = media
    return ActionRequest("report.submit", args)


GETTERS.update(media_offer=media_offer, media_done=media_done)
ACTIONS["media_submit"] = media_submit
