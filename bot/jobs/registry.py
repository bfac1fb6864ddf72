"""Named job handlers. A handler runs inside the transaction that marks its job done, so its
database effects (and the messages it records) happen exactly once even if it runs twice.

A handler must not call the outside world itself: it records messages (``ContactSender``) and
other jobs (``tx.jobs.add``), which the queue runs after the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.domain.json import JSON
from bot.outbound.contact import ContactSender
from bot.store.repo import Tx
from bot.store.types import utcnow


@dataclass(frozen=True, slots=True)
class JobServices:
    """What a handler may use besides its transaction."""

    settings: Settings
    contacts_out: ContactSender
    texts: Callable[..., str]  # the catalogue: texts(key, language, rendering, **values)
    clock: Callable[[], datetime] = utcnow
    extra: dict[str, Any] = field(default_factory=dict)  # places, policy... by later issues


Handler = Callable[[JobServices, Tx, JSON], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}


def job(name: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` under ``name`` (a name is registered once)."""

    def register(handler: Handler) -> Handler:
        if name in HANDLERS:
            raise ValueError(f"job {name!r} registered twice")
        HANDLERS[name] = handler
        return handler

    return register
