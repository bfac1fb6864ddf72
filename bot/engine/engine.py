"""The dialog engine: ``step`` / ``resume`` / ``wants_nlu`` over plain-JSON sessions.

Pure: no I/O, no clock (time comes in ``Input.now``), no randomness. Flows are loaded once from
``dialogs/*.yml`` and texts from ``dialogs/locales/``; named functions from
``bot.engine.functions``. Every Turn carries only the replies produced by that call; the
pipeline concatenates them across ``step`` and the ``resume`` calls that follow.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import bot.engine.functions  # noqa: F401  (fills the registries)
from bot.engine import router, runner
from bot.engine.checks import check_flows
from bot.engine.commands import command, key
from bot.engine.context import Ctx
from bot.engine.flows import FlowDef, load_flows
from bot.engine.menu import empty_session, menu_pick
from bot.engine.runner import Out
from bot.engine.steps import STEPS
from bot.engine.texts import Catalog
from bot.engine.types import JSON, Input, Turn
from bot.ports import PlaceLookup, PolicyService
from bot.textnorm import clean_text


@dataclass(frozen=True, slots=True)
class EngineServices:
    """What the engine may consult (in memory, no I/O)."""

    places: PlaceLookup
    policy: PolicyService
    flow_timeout_seconds: int = 1800


class Engine:
    """Runs the flows of ``flows_dir`` (raises ValueError at load if a flow is inconsistent)."""

    def __init__(self, flows_dir: Path, services: EngineServices) -> None:
        self.services = services
        self.catalog = Catalog.load(flows_dir / "locales")
        self.flows: dict[str, FlowDef] = load_flows(flows_dir, set(STEPS))
        check_flows(self.flows, self.catalog)

    # -- public API -------------------------------------------------------------------------

    def step(self, session: JSON | None, inp: Input) -> Turn:
        """Handle one user input."""
        ctx = self._ctx(session, inp)
        s = ctx.session
        s["await"] = None  # an action whose resume never came: the pipeline rolled it back
        if not inp.contact.notice_seen and not s.get("notice"):
            replies, action = router.notice(ctx)
        else:
            replies, action = self._route(ctx)
        return self._turn(ctx, replies, action)

    def resume(self, session: JSON, result: JSON, inp: Input) -> Turn:
        """Go on after the pipeline ran the ActionRequest of the previous Turn."""
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
        if not key(ctx.text) or command(ctx.text):
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
        return Ctx(self.services, self.catalog, self.flows, s, inp, clean_text(inp.text or ""))

    def _step_known(self, s: JSON) -> bool:
        return s.get("step") in self.flows[s["flow"]].steps

    def _route(self, ctx: Ctx, after_notice: bool = False) -> Out:
        s, inp = ctx.session, ctx.inp
        cmd = None if inp.button else command(ctx.text)
        if cmd:
            return router.run_command(ctx, cmd)
        if s.get("flow") and not s.get("paused") and self._expired(ctx):
            return router.offer_resume(ctx)
        if inp.button:
            return router.button(ctx, inp.button)
        if s.get("flow") and s.get("paused"):
            return router.answer_resume(ctx, None)
        if s.get("flow"):
            return runner.answer(ctx)
        return router.outside(ctx, after_notice)

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
        event = {"type": "turn", "flow": s.get("flow"), "step": s.get("step")}
        if action is not None:
            event["action"] = action.name
        return Turn(session=s, replies=replies, action=action, events=[*ctx.events, event])
