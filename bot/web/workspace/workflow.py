"""Who may do what in the workspace and how a report's status moves: data in
``data/workspace.yml``, validated here at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from bot.policy.loader import read_model
from bot.policy.schema import Strict
from bot.store.records import REPORT_STATUSES, WEB_ROLES


class RoleRule(Strict):
    see: Literal["everything", "commune", "village"]
    act: bool
    export: bool


class StatusRule(Strict):
    next: tuple[str, ...] = Field(default=())
    tell_resident: bool = False
    reason_required: bool = False


class Workflow(Strict):
    """The validated ``data/workspace.yml``: every role and every status has a rule."""

    roles: dict[str, RoleRule]
    statuses: dict[str, StatusRule]

    @model_validator(mode="after")
    def _complete(self) -> Workflow:
        if set(self.roles) != set(WEB_ROLES):
            raise ValueError(f"roles must be exactly {sorted(WEB_ROLES)}")
        if set(self.statuses) != set(REPORT_STATUSES):
            raise ValueError(f"statuses must be exactly {sorted(REPORT_STATUSES)}")
        for name, rule in self.statuses.items():
            unknown = set(rule.next) - set(REPORT_STATUSES)
            if unknown or name in rule.next:
                raise ValueError(f"statuses.{name}.next: bad targets {sorted(unknown) or name}")
        return self

    def role(self, role: str) -> RoleRule:
        return self.roles[role]

    def can_move(self, current: str, target: str) -> bool:
        return target in self.statuses[current].next

    def next_statuses(self, current: str) -> tuple[str, ...]:
        return self.statuses[current].next

    def tells_resident(self, status: str) -> bool:
        return self.statuses[status].tell_resident

    def needs_reason(self, status: str) -> bool:
        return self.statuses[status].reason_required


def load_workflow(path: Path) -> Workflow:
    """Read ``path``; PolicyDataError naming the file and key on bad data."""
    return read_model(path, Workflow)
