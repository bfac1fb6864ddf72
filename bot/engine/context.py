"""What a step sees: the services, the texts, the session (read-only by convention), the input.

Steps never change ``session``; they return an outcome the runner applies. That keeps
``Step.accepts`` (used by ``Engine.wants_nlu``) a dry run of ``Step.handle``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.domain.messages import Button, Reply
from bot.engine.flows import FlowDef, StepDef
from bot.engine.routing import Routing
from bot.engine.texts import Catalog
from bot.engine.types import JSON, EngineServices, Input


@dataclass(slots=True)
class Ctx:
    """One turn's view of the world. ``text`` is the cleaned message text."""

    services: EngineServices
    catalog: Catalog
    flows: dict[str, FlowDef]
    routing: Routing
    session: JSON
    inp: Input
    text: str
    button_value: str | None = None  # the value part of a pressed, current button
    events: list[JSON] = field(default_factory=list)  # steps entered, for logs and tests

    @property
    def role(self) -> str:
        """What the person may do: resident, head, officer or admin."""
        return self.inp.contact.role or "resident"

    def command(self, text: str) -> str | None:
        """The global command the whole of ``text`` is (dialogs/commands.yml) for this
        person's role, or None."""
        return self.routing.command(text, self.role)

    @property
    def lang(self) -> str:
        return self.inp.contact.language or "vi"

    @property
    def rendering(self) -> str:
        """How replies look: "telegram", "zalo" or "sms" (texts have ".sms" variants)."""
        return self.inp.contact.rendering

    @property
    def today(self) -> date:
        return self.inp.now.date()

    @property
    def slots(self) -> JSON:
        slots: JSON = self.session.setdefault("slots", {})
        return slots

    @property
    def pending(self) -> JSON:
        pending: JSON | None = self.session.get("pending")
        return pending or {}

    @property
    def flow(self) -> FlowDef | None:
        fid = self.session.get("flow")
        return self.flows.get(fid) if fid else None

    @property
    def step(self) -> StepDef | None:
        flow, sid = self.flow, self.session.get("step")
        return flow.steps.get(sid) if flow and sid else None

    def require_flow(self) -> FlowDef:
        """The current flow; only called where the engine has checked there is one."""
        flow = self.flow
        if flow is None:
            raise RuntimeError("no flow in progress")
        return flow

    def require_step(self) -> StepDef:
        """The current step; only called where the engine has checked there is one."""
        step = self.step
        if step is None:
            raise RuntimeError("no step in progress")
        return step

    def t(self, key: str, **kw: Any) -> str:
        """The text ``key`` in the contact's language, channel variant first. ``{addr}`` /
        ``{Addr}`` in a text is how the bot calls this resident ("anh/chị" until they say)."""
        form = self.session.get("addr") if self.lang == "vi" else None
        form = form or self.catalog.text(self.lang, "addr.default")
        kw.setdefault("addr", form)
        kw.setdefault("Addr", form[:1].upper() + form[1:])
        return self.catalog.text(self.lang, key, self.rendering, **kw)

    def token(self) -> str:
        """Where the conversation is: the step id plus the step's sub-position, if any."""
        sid = str(self.session.get("step") or "")
        tok = self.pending.get("tok")
        return f"{sid}.{tok}" if tok is not None else sid

    def button(self, title: str, value: str) -> Button:
        """A button of the current step: ``<flow>:<token>:<value>`` (ASCII, <= 64 bytes)."""
        payload = f"{self.session.get('flow') or 'menu'}:{self.token()}:{value}"
        return Button(title, payload[:64])

    def reply(self, text: str, buttons: tuple[Button, ...] = (), request: Any = None) -> Reply:
        return Reply(text, buttons, request)
