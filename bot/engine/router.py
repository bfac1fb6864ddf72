"""Everything outside a flow's questions: global commands, NLU intents, the resume offer,
stale buttons, and the first-contact notice."""

from __future__ import annotations

from bot.domain.consent import CONSENT_VERSION
from bot.domain.messages import Button, Reply
from bot.engine import clarify, runner
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.menu import clear_flow, menu_pick, menu_reply
from bot.engine.runner import Out
from bot.engine.steps.yes_no import read_yes_no
from bot.engine.types import ActionRequest

CONTINUE_WORDS = {"tiep tuc", "tiep", "continue", "resume"}
RESTART_WORDS = {"lam lai", "lam lai tu dau", "bat dau lai", "restart", "start over"}


def notice(ctx: Ctx) -> Out:
    """First contact: what we keep and why, with the consent line, in one short message (the
    full text, with Decree 13/2023/NĐ-CP, on "bảo mật"), then remember it was seen and which
    version of the text it was (the consent; writing on is agreeing, nothing waits on it)."""
    ctx.session["notice"] = True
    ctx.session["await"] = {"then": "notice"}
    args = {"notice_seen": True, "consent_version": CONSENT_VERSION}
    return [Reply(ctx.t("notice.text"))], ActionRequest("contact.update", args)


def run_command(ctx: Ctx, cmd: str) -> Out:
    """A global command typed anywhere (or pressed on a ``sys:cmd:*`` button)."""
    s = ctx.session
    if cmd in ctx.routing.command_flows:
        came_from = s.get("flow")
        out = runner.start(ctx, ctx.routing.command_flows[cmd])
        if came_from and ctx.session.get("flow"):
            ctx.slots["from_flow"] = came_from  # the officer sees where the resident got stuck
        return out
    if cmd == "back" and s.get("flow"):
        s["paused"] = False
        return runner.back(ctx)
    if cmd == "cancel" and s.get("flow"):
        clear_flow(s)
        return [menu_reply(ctx, "cmd.cancelled")], None
    clear_flow(s)
    return [menu_reply(ctx)], None


def outside(ctx: Ctx, after_notice: bool = False) -> Out:
    """Free text, a menu number or an NLU parse while no flow runs."""
    offered = ctx.session.get("clarify") or []
    ctx.session["clarify"] = None  # an offer stands for one answer only
    if offered:
        chosen = clarify.answer(ctx, offered)
        if chosen is not None:
            return chosen
    flow = menu_pick(ctx)
    if flow:
        return runner.start(ctx, flow)
    nlu = ctx.inp.nlu or {}
    intent = str((nlu.get("intent") or {}).get("name") or "")
    entities = {
        str(e["entity"]): str(e["value"])
        for e in nlu.get("entities") or ()
        if isinstance(e, dict) and e.get("entity") and e.get("value") is not None
    }
    flows = clarify.route(nlu, ctx.routing.intent_flows(ctx.role))
    if len(flows) == 1:
        return runner.start(ctx, flows[0], entities)
    if flows:
        return clarify.ask(ctx, flows, entities)
    if intent in ("greet", "help"):
        return [menu_reply(ctx, "menu.greeting")], None
    if intent in ("thank", "goodbye"):
        return [Reply(ctx.t("bye.text"))], None
    return [menu_reply(ctx, "menu.prompt" if after_notice else "menu.fallback")], None


def to_officer(ctx: Ctx, ref: str) -> Out:
    """While an officer talks with this person about ``ref``, what they write (text, a photo,
    a voice note) goes to the report and the officer; "menu" and the other commands still work."""
    args = {"ref": ref, "text": ctx.text, "media": list(ctx.inp.media)}
    return [Reply(ctx.t("talk.forwarded"))], ActionRequest("report.answer", args)


def offer_resume(ctx: Ctx) -> Out:
    """The flow was idle too long: ask whether to go on where it stopped or start again."""
    ctx.session["paused"] = True
    flow = ctx.require_flow()
    buttons = (
        Button(ctx.t("resume.continue_btn"), "sys:resume:yes"),
        Button(ctx.t("resume.restart_btn"), "sys:resume:no"),
    )
    return [Reply(ctx.t("resume.offer", flow=ctx.t(flow.title)), buttons)], None


def answer_resume(ctx: Ctx, value: str | None) -> Out:
    """The answer to :func:`offer_resume` (button value or typed)."""
    folded = key(ctx.text)
    choice = value or ("yes" if folded in CONTINUE_WORDS else None)
    choice = choice or ("no" if folded in RESTART_WORDS else read_yes_no(ctx.text))
    if choice == "yes":
        ctx.session["paused"] = False
        return runner.reprompt(ctx, ctx.t("resume.continued")), None
    if choice == "no":
        flow = ctx.session["flow"]
        return runner.start(ctx, flow)
    return offer_resume(ctx)


def button(ctx: Ctx, payload: str) -> Out:
    """A pressed button: current ones act, old ones get a short note and the current question."""
    s = ctx.session
    scope, _, rest = payload.partition(":")
    where, _, value = rest.partition(":")
    if scope == "sys" and where == "cmd" and value in ("menu", "officer"):
        return run_command(ctx, value)
    if scope == "sys" and where == "ack":  # an alert's "Nhận xử lý" (the flow checks the role)
        return runner.start(ctx, "officer_ack", {"text": f"nhan {value}"})
    if scope == "sys" and where == "safety":  # a warning's "An toàn" / "Cần giúp"
        notice, _, answer = value.partition(":")
        return runner.start(ctx, "safety_answer", {"notice": notice, "answer": answer})
    if scope == "sys" and where == "resume" and s.get("paused"):
        return answer_resume(ctx, value)
    if scope == "menu" and where == clarify.BUTTON_SCOPE and not s.get("flow"):
        offered = s.get("clarify") or []
        s["clarify"] = None
        if value in offered:
            return clarify.answer(ctx, offered, value) or stale(ctx)
        if value in ctx.flows:  # an older question's button: the journey, nothing prefilled
            return runner.start(ctx, value)
    if scope == "menu" and not s.get("flow"):
        flow = menu_pick(ctx, value)
        if flow:
            return runner.start(ctx, flow)
    if s.get("flow") and not s.get("paused") and scope == s["flow"] and where == ctx.token():
        ctx.button_value = value
        return runner.answer(ctx)
    return stale(ctx)


def stale(ctx: Ctx) -> Out:
    """An old button: nothing changes; say so and show where we are."""
    s = ctx.session
    note = ctx.t("stale.text")
    if s.get("flow") and s.get("paused"):
        replies, _ = offer_resume(ctx)
        return [Reply(note), *replies], None
    if s.get("flow"):
        return runner.reprompt(ctx, note), None
    return [Reply(ctx.t("stale.menu")), menu_reply(ctx)], None
