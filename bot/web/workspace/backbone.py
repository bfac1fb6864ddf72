"""The two backbone stores the workspace reads and writes: the audit log and the
conversation log (schema 0003: ``tx.audit``, ``tx.messages``).

TODO(merge): once "backbone: schema 0003" is merged into this branch, these become plain
``tx.audit.record(...)`` / ``tx.messages.conversation(...)`` calls and the fallbacks go. Until
then an audit event is written to the log only (there is no ``audit_events`` table yet) and
the report page shows no conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.store.repo import Tx

log = logging.getLogger("bot.audit")


@dataclass(frozen=True, slots=True)
class Message:
    """One line of a resident's conversation as the report page shows it."""

    direction: str  # "in" (the resident wrote) or "out" (the bot or an officer)
    text: str
    at: datetime
    adapter: str
    kind: str
    media: tuple[str, ...] = ()


async def audit(
    tx: Tx,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    """Record who did what, when and from where, inside ``tx``."""
    repo = getattr(tx, "audit", None)
    if repo is not None:
        await repo.record(actor=actor, action=action, target=target, detail=detail, ip=ip)
        return
    log.info("audit %s %s %s %s from %s", actor, action, target, dict(detail or {}), ip)


async def conversation(tx: Tx, contact_id: int, limit: int = 50) -> list[Message]:
    """The resident's recent messages both ways, oldest first (empty before schema 0003)."""
    repo = getattr(tx, "messages", None)
    if repo is None:
        return []
    rows = await repo.conversation(contact_id, since=None, limit=limit)
    return [
        Message(r.direction, r.text, r.at, r.adapter, r.kind, tuple(getattr(r, "media", ()) or ()))
        for r in rows
    ]
