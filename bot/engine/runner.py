"""Moving through a flow: enter steps (running automatic ones), take answers, miss, go back.

Functions here change ``ctx.session`` (the engine's private copy) and return the replies so far
plus an optional ActionRequest; when there is one, ``session["await"]`` says how to go on.
"""

from __future__ import annotations

import copy

from bot.domain.messages import Button, Reply
from bot.engine import registry
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.functions import media
from bot.engine.menu import clear_flow, menu_reply
from bot.engine.steps import STEPS, Answer, Miss, Outcome, Stay, Step
from bot.engine.types import ActionRequest

Out = tuple[list[Reply], ActionRequest | None]
MAX_HOPS = 60  # automatic steps in a row; more means a loop in a flow file
HIST_MAX = 40  # "quay lại" depth kept in the session
MISSES_BEFORE_OFFER = 3


def start(ctx: Ctx, flow_id: str, prefill: dict[str, str] | None = None) -> Out:
    """Begin ``flow_id`` from its first step, forgetting any other flow — if the person's role
    may start it (dialogs: ``start.roles``); otherwise say so and show their menu."""
    if not ctx.routing.allowed(flow_id, ctx.role):
        ctx.events.append({"type": "refused", "flow": flow_id, "role": ctx.role})
        return [menu_reply(ctx, "role.not_allowed")], None
    clear_flow(ctx.session)
    ctx.session["flow"] = flow_id
    ctx.session["prefill"] = dict(prefill or {})
    return enter(ctx, ctx.flows[flow_id].first)


def leave(ctx: Ctx, target: str, replies: list[Reply]) -> Out:
    """Finish (``end``), cancel (``cancel``) or hand over to another flow (``flow:<id>``)."""
    if target.startswith("flow:"):
        more, action = start(ctx, target[5:])
        return replies + more, action
    ctx.events.append({"type": "leave", "flow": ctx.session.get("flow"), "how": target})
    clear_flow(ctx.session)
    if target == "cancel":
        return [*replies, menu_reply(ctx, "cmd.cancelled")], None
    if ctx.rendering == "sms" and replies:
        # A flow ends on a closing message; the numbered menu would cost two more segments and
        # any text the resident sends next finds its way (NLU, or the menu).
        return replies, None
    if ctx.rendering == "sms":
        return [Reply(ctx.t("menu.again"))], None
    return [*replies, menu_reply(ctx, "menu.again")], None


def _next(ctx: Ctx, d: StepDef, route: str | None) -> str:
    flow = ctx.require_flow()
    return d.routes.get(route or "") or d.next or flow.after(d.id)


def enter(ctx: Ctx, target: str, replies: list[Reply] | None = None) -> Out:
    """Go to ``target`` and on through automatic steps until a question is asked."""
    s = ctx.session
    out = list(replies or [])
    for _ in range(MAX_HOPS):
        flow = ctx.flow
        if flow is None or target in ("end", "cancel") or target.startswith("flow:"):
            return leave(ctx, target, out)
        d = flow.steps[target]
        s.update(step=d.id, pending=None, misses=0)
        ctx.events.append({"type": "enter", "flow": flow.id, "step": d.id, "kind": d.kind})
        for hook in d.get("before", ()):
            ctx.slots.update(registry.HOOKS[hook](ctx))
        if d.get("skip_if") and registry.check(ctx, str(d.get("skip_if"))):
            target = d.next or flow.after(d.id)
            continue
        step = STEPS[d.kind]
        if not step.interactive:
            auto = step.run(ctx, d)
            out += auto.replies
            target = auto.next or d.next or flow.after(d.id)
            if auto.action is not None:
                s["await"] = {"then": "enter", "save": d.slot, "next": target}
                s["hist"] = []  # an action happened: "quay lại" cannot undo it
                return out, auto.action
            continue
        answer = _prefilled(ctx, d, step) or step.auto(ctx, d)
        if answer is not None:
            _store(ctx, d, answer)
            target = _next(ctx, d, answer.route)
            if answer.action is not None:
                s["await"] = {"then": "enter", "save": None, "next": target}
                return out, answer.action
            continue
        s["pending"] = step.initial_pending(ctx, d)
        return out + step.prompt(ctx, d), None
    raise RuntimeError(f"flow {s.get('flow')} runs more than {MAX_HOPS} steps without a question")


def _prefilled(ctx: Ctx, d: StepDef, step: Step) -> Answer | None:
    prefill = ctx.session.get("prefill") or {}
    if d.entity and d.entity in prefill:
        return step.prefill(ctx, d, str(prefill.pop(d.entity)))
    return None


def _store(ctx: Ctx, d: StepDef, answer: Answer) -> None:
    ctx.slots[d.slot] = answer.value
    ctx.slots.update(answer.slots)


def _push(ctx: Ctx) -> None:
    s = ctx.session
    snap = {"step": s["step"], "slots": copy.deepcopy(s["slots"]), "pending": s.get("pending")}
    s["hist"] = [*s.get("hist", [])[-(HIST_MAX - 1) :], copy.deepcopy(snap)]


def _entity(ctx: Ctx, name: str | None) -> str | None:
    nlu = ctx.inp.nlu or {}
    for ent in nlu.get("entities") or ():
        if isinstance(ent, dict) and ent.get("entity") == name and ent.get("value") is not None:
            return str(ent["value"])
    return None


def answer(ctx: Ctx) -> Out:
    """Read the input as the answer to the current step."""
    d = ctx.require_step()
    step = STEPS[d.kind]
    if ctx.inp.media and not step.takes(ctx):
        outcome: Outcome = media.in_flow(ctx, d, step)
    else:
        outcome = step.handle(ctx, d)
    if isinstance(outcome, Miss) and d.entity:
        value = _entity(ctx, d.entity)
        outcome = (step.prefill(ctx, d, value) if value else None) or outcome
    if isinstance(outcome, Miss):
        return miss(ctx, d, step, outcome)
    if isinstance(outcome, Stay):
        if outcome.push:
            _push(ctx)
        ctx.session["pending"] = outcome.pending
        ctx.slots.update(outcome.slots)
        ctx.session["misses"] = 0
        return _with_note(step.prompt(ctx, d), outcome.notes), None
    _push(ctx)
    _store(ctx, d, outcome)
    target = _next(ctx, d, outcome.route)
    if outcome.action is not None:
        ctx.session["await"] = {"then": "enter", "save": None, "next": target}
        return [], outcome.action
    return enter(ctx, target)


def _with_note(prompt: list[Reply], notes: list[str]) -> list[Reply]:
    if not notes or not prompt:
        return prompt
    first = prompt[0]
    text = "\n".join([*notes, first.text])
    return [Reply(text, first.buttons, first.request), *prompt[1:]]


def miss(ctx: Ctx, d: StepDef, step: Step, outcome: Miss) -> Out:
    """Re-prompt briefly with an example; every third miss also offers menu or an officer."""
    s = ctx.session
    s["misses"] = int(s.get("misses", 0)) + 1
    hint = ctx.t(outcome.key or step.retry(d), **outcome.kw)
    replies = _with_note(step.prompt(ctx, d), [hint])
    if s["misses"] % MISSES_BEFORE_OFFER == 0:
        buttons = (
            Button(ctx.t("offer.menu"), "sys:cmd:menu"),
            Button(ctx.t("offer.officer"), "sys:cmd:officer"),
        )
        replies.append(Reply(ctx.t("offer.text"), buttons))
    return replies, None


def reprompt(ctx: Ctx, note: str | None = None) -> list[Reply]:
    """The current question again (after a stale button or a resume)."""
    d = ctx.require_step()
    return _with_note(STEPS[d.kind].prompt(ctx, d), [note] if note else [])


def back(ctx: Ctx) -> Out:
    """One step back, with the answers as they were before that step was answered."""
    s = ctx.session
    hist = s.get("hist") or []
    if not hist:
        return reprompt(ctx, ctx.t("cmd.back_first")), None
    snap = hist.pop()
    s.update(step=snap["step"], slots=snap["slots"], pending=snap["pending"], misses=0, hist=hist)
    return reprompt(ctx, ctx.t("cmd.back")), None
