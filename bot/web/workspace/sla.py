"""Service levels per report kind: pending, about to breach, breached (from settings).

A new report must be acknowledged within ``sla_acknowledge_minutes[kind]``; an acknowledged
or in-progress one resolved (or rejected) within ``sla_resolve_minutes[kind]`` counted from
when it was filed. A closed report shows whether it was closed in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.config import WorkspaceSettings
from bot.store.records import ReportRecord

State = Literal["ok", "warning", "breached", "met", "late"]


@dataclass(frozen=True, slots=True)
class Sla:
    stage: Literal["acknowledge", "resolve"]
    state: State
    due: datetime

    def left(self, now: datetime) -> timedelta:
        return self.due - now


def sla_of(report: ReportRecord, cfg: WorkspaceSettings, now: datetime) -> Sla | None:
    """The service level that applies now; None for a kind with no setting."""
    try:
        ack = timedelta(minutes=cfg.sla_acknowledge_minutes.of(report.type))
        res = timedelta(minutes=cfg.sla_resolve_minutes.of(report.type))
    except KeyError:
        return None
    if report.status == "new":
        return _open("acknowledge", report.created_at, ack, cfg, now)
    if report.closed_at is None:
        return _open("resolve", report.created_at, res, cfg, now)
    due = report.created_at + res
    return Sla("resolve", "met" if report.closed_at <= due else "late", due)


def _open(
    stage: Literal["acknowledge", "resolve"],
    start: datetime,
    allowed: timedelta,
    cfg: WorkspaceSettings,
    now: datetime,
) -> Sla:
    due = start + allowed
    if now >= due:
        return Sla(stage, "breached", due)
    if due - now < allowed * cfg.sla_warn_fraction:
        return Sla(stage, "warning", due)
    return Sla(stage, "ok", due)
