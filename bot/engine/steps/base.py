"""The step contract: outcomes a step returns and the base class every kind extends.

Interactive steps render a question (:meth:`Step.prompt`) and read the answer
(:meth:`Step.handle`) into an :class:`Answer` (store and move on), a :class:`Stay` (same step,
new sub-state, e.g. a guessed amount to confirm) or a :class:`Miss` (re-prompt). Automatic steps
(message, branch, action) implement :meth:`Step.run` instead. Steps never change the session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from bot.domain.messages import Reply
from bot.engine.context import Ctx
from bot.engine.flows import StepDef
from bot.engine.types import JSON, ActionRequest


@dataclass(slots=True)
class Answer:
    """A complete answer: ``value`` goes to the step's slot; ``route`` picks a ``routes`` entry."""

    value: Any
    route: str | None = None
    slots: JSON = field(default_factory=dict)
    action: ActionRequest | None = None


@dataclass(slots=True)
class Stay:
    """Same step, new sub-state; the runner re-renders the prompt after applying it."""

    pending: JSON | None
    slots: JSON = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    push: bool = True  # whether "quay lại" should come back to the state before this


@dataclass(slots=True)
class Miss:
    """Not an answer; ``key`` is the re-prompt text (default: the step's ``retry``)."""

    key: str | None = None
    kw: JSON = field(default_factory=dict)


Outcome = Answer | Stay | Miss


@dataclass(slots=True)
class Auto:
    """What an automatic step did: replies, where to go (None: next), an action to run."""

    replies: list[Reply] = field(default_factory=list)
    next: str | None = None
    action: ActionRequest | None = None


class Step:
    """Base of every step kind; subclasses set ``kind`` and override what they need."""

    kind: ClassVar[str] = ""
    interactive: ClassVar[bool] = True
    retry_key: ClassVar[str] = "retry.generic"

    def prompt(self, ctx: Ctx, d: StepDef) -> list[Reply]:
        raise NotImplementedError

    def handle(self, ctx: Ctx, d: StepDef) -> Outcome:
        raise NotImplementedError

    def takes(self, ctx: Ctx) -> bool:
        """Whether this step reads the input's attachments (``Input.media``) as its answer;
        elsewhere the runner answers attachments itself (``bot.engine.functions.media``)."""
        return False

    def accepts(self, ctx: Ctx, d: StepDef) -> bool:
        """Whether the current input is an answer here (a dry run of :meth:`handle`)."""
        return not isinstance(self.handle(ctx, d), Miss)

    def prefill(self, ctx: Ctx, d: StepDef, value: str) -> Answer | None:
        """An answer taken from an NLU entity value, or None to ask."""
        return None

    def initial_pending(self, ctx: Ctx, d: StepDef) -> JSON | None:
        """The sub-state a step starts in when entered (e.g. "is it your known village?")."""
        return None

    def auto(self, ctx: Ctx, d: StepDef) -> Answer | None:
        """An answer without asking (e.g. a photo on SMS), or None to ask."""
        return None

    def run(self, ctx: Ctx, d: StepDef) -> Auto:
        raise NotImplementedError

    def retry(self, d: StepDef) -> str:
        return str(d.get("retry") or self.retry_key)

    def text_keys(self) -> set[str]:
        """Text keys the kind itself uses (checked against the catalogues by the tests)."""
        return {self.retry_key}
