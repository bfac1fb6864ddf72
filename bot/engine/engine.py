"""The dialog engine: ``step`` / ``resume`` / ``wants_nlu`` over plain-JSON sessions.

Pure: no I/O, no clock (time comes in ``Input.now``), no randomness. Flows are loaded once from
``dialogs/*.yml`` and texts from ``dialogs/locales/``; named functions from
``bot.engine.functions``. Every Turn carries only the replies produced by that call; the
pipeline concatenates them across ``step`` and the ``resume`` calls that follow.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import bot.engine.functions  # noqa: F401  (fills the registries)
from bot.engine import fmt, router, runner
from bot.engine.checks import check_flows
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.flows import FlowDef, load_flows
from bot.engine.functions import media
from bot.engine.menu import empty_session, menu_pick
from bot.engine.routing import Routing, load_routing
from bot.engine.runner import Out
from bot.engine.steps import STEPS
from bot.engine.texts import Catalog
from bot.engine.types import JSON, EngineServices, Input, Turn
from bot.render.plain import plain_replies, writes_plain
from bot.textnorm import clean_text


class Engine:
    """Runs the flows of ``flows_dir`` (raises ValueError at load if a flow is inconsistent)."""

    def __init__(self, flows_dir: Path, services: EngineServices) -> None:
        self.services = services
        self.catalog = Catalog.load(flows_dir / "locales")
        self.flows: dict[str, FlowDef] = load_flows(flows_dir, set(STEPS))
        self.routing: Routing = load_routing(self.flows, flows_dir / "commands.yml")
        check_flows(self.flows, self.catalog)

    # -- public API -------------------------------------------------------------------------

    def step(self, session: JSON | None, inp: Input) -> Turn:
        """Handle one user input."""
        ctx = self._ctx(session, inp)
        s = ctx.session
        s["await"] = None  # an action whose resume never came: the pipeline rolled it back
        _learn_how_they_write(s, inp)
        if not inp.contact.notice_seen and not s.get("notice"):
            replies, action = router.notice(ctx)
        else:
            replies, action = self._route(ctx)
        return self._turn(ctx, replies, action)

    def resume(self, session: JSON, result: JSON, inp: Input) -> Turn:
        """Go on after the pipeline ran the ActionRequest of the previous Turn."""
        if result.get("granted") and result.get("role"):
            # a role granted by this very turn: what follows (the menu) is the new role's
            inp = replace(inp, contact=replace(inp.contact, role=str(result["role"])))
        ctx = self._ctx(session, inp)
        pending = ctx.session.get("await") or {}
        ctx.session["await"] = None
        out: Out = ([], None)
        if pending.get("then") == "notice":
            out = self._route(ctx, after_notice=True)
        elif pending.get("then") == "enter":
            if pending.get("save"):
                ctx.slots[pending["save"]] = copy.deepcopy(result)
            out = runner.enter(ctx, str(pending["next"]))
        return self._turn(ctx, *out)

    def text(self, key: str, lang: str, channel: str = "", **kw: Any) -> str:
        """A text of the catalogue (for renderers and channels outside any flow)."""
        return self.catalog.text(lang, key, channel, **kw)

    def wants_nlu(self, session: JSON | None, inp: Input) -> bool:
        """True only for free text the current step cannot take as its answer."""
        if inp.button or inp.location or inp.media:
            return False
        ctx = self._ctx(session, inp)
        if (
            not key(ctx.text)
            or ctx.command(ctx.text)
            or self.routing.pattern_flow(ctx.text, ctx.role, busy=self._busy(ctx))
        ):
            return False
        s = ctx.session
        d = ctx.step
        if d is None:
            return menu_pick(ctx) is None
        if s.get("paused") or self._expired(ctx):
            return False
        return not STEPS[d.kind].accepts(ctx, d)

    # -- internals --------------------------------------------------------------------------

    def _ctx(self, session: JSON | None, inp: Input) -> Ctx:
        s = empty_session()
        if session and session.get("v") == s["v"]:
            # A deep copy through JSON: the caller's dict is never changed, bad state fails here.
            s.update(json.loads(json.dumps(session)))
        if s.get("flow") and (s["flow"] not in self.flows or not self._step_known(s)):
            s = {**empty_session(), "notice": s.get("notice", False)}  # a flow file changed
        text = clean_text(inp.text or "")
        return Ctx(self.services, self.catalog, self.flows, self.routing, s, inp, text)

    def _step_known(self, s: JSON) -> bool:
        return s.get("step") in self.flows[s["flow"]].steps

    def _route(self, ctx: Ctx, after_notice: bool = False) -> Out:
        s, inp = ctx.session, ctx.inp
        cmd = None if inp.button else ctx.command(ctx.text)
        if cmd:
            return router.run_command(ctx, cmd)
        claimed = (
            None if inp.button
            else self.routing.pattern_flow(ctx.text, ctx.role, busy=self._busy(ctx))
        )  # fmt: skip
        if claimed:  # a message of a flow's own shape (a role code), wherever we are
            return runner.start(ctx, claimed, {"text": ctx.text})
        if s.get("flow") and not s.get("paused") and self._expired(ctx):
            return router.offer_resume(ctx)
        if inp.button:
            return router.button(ctx, inp.button)
        if s.get("flow") and s.get("paused"):
            return router.answer_resume(ctx, None)
        if s.get("flow"):
            return runner.answer(ctx)
        if inp.contact.talking_ref:  # an officer talks with them: the words go to the officer
            return router.to_officer(ctx, inp.contact.talking_ref)
        if inp.media:
            return media.outside(ctx)
        return router.outside(ctx, after_notice)

    def _busy(self, ctx: Ctx) -> bool:
        """A flow's step (current, not paused) or an officer is waiting for this message."""
        s = ctx.session
        in_flow = bool(s.get("flow")) and not s.get("paused") and not self._expired(ctx)
        return in_flow or bool(ctx.inp.contact.talking_ref)

    def _expired(self, ctx: Ctx) -> bool:
        last = ctx.session.get("last")
        if not last:
            return False
        then, now = datetime.fromisoformat(last), ctx.inp.now
        if (then.tzinfo is None) != (now.tzinfo is None):
            then, now = then.replace(tzinfo=None), now.replace(tzinfo=None)
        return (now - then).total_seconds() > self.services.flow_timeout_seconds

    def _turn(self, ctx: Ctx, replies: list[Any], action: Any) -> Turn:
        s = ctx.session
        s["last"] = ctx.inp.now.isoformat()
        if ctx.rendering == "sms" and s.get("plain", True):
            replies = plain_replies(replies)  # answer in kind: see bot/render/plain.py
        event = {"type": "turn", "flow": s.get("flow"), "step": s.get("step")}
        if action is not None:
            event["action"] = action.name
        return Turn(session=s, replies=replies, action=action, events=[*ctx.events, event])


def _learn_how_they_write(s: JSON, inp: Input) -> None:
    """Remember, for the whole conversation, how the resident calls themselves ("chị muốn
    hỏi" -> "chị") and, on SMS, whether they write without diacritics."""
    form = fmt.address_form(inp.text) if inp.text else None
    if form:
        s["addr"] = form
    if inp.contact.rendering == "sms":
        plain = writes_plain(inp.text)
        if plain is not None:
            s["plain"] = plain
