"""The main menu, the session's empty shape, and leaving a flow."""

from __future__ import annotations

from bot.domain.messages import Button, Reply
from bot.engine.commands import key, title_key
from bot.engine.context import Ctx
from bot.engine.types import JSON

SESSION_VERSION = 1


def empty_session() -> JSON:
    """A conversation outside any flow."""
    return {
        "v": SESSION_VERSION,
        "flow": None,
        "step": None,
        "slots": {},
        "pending": None,
        "hist": [],
        "misses": 0,
        "paused": False,
        "await": None,
        "prefill": {},
        "clarify": None,  # journeys offered by the last clarifying question (engine/clarify.py)
        "notice": False,
        "last": None,
    }


def clear_flow(session: JSON) -> None:
    """Forget the current flow and its answers (the contact-level fields stay)."""
    fresh = empty_session()
    for name in (
        "flow",
        "step",
        "slots",
        "pending",
        "hist",
        "misses",
        "paused",
        "await",
        "prefill",
        "clarify",
    ):
        session[name] = fresh[name]


def menu_reply(ctx: Ctx, text_key: str = "menu.prompt") -> Reply:
    """The person's menu (their role's flows, dialogs' ``start.menu``) as buttons, numbered
    by the SMS renderer; a button carries its position."""
    entries = ctx.routing.menu_for(ctx.role)
    buttons = tuple(Button(ctx.t(e.title), f"menu:main:{n}") for n, e in enumerate(entries, 1))
    return Reply(ctx.t(text_key), buttons)


def menu_pick(ctx: Ctx, value: str | None = None) -> str | None:
    """The flow a menu answer names: a button position, a number, or a typed title."""
    entries = ctx.routing.menu_for(ctx.role)
    raw = value if value is not None else ctx.text
    folded = key(raw)
    if folded.isdecimal():
        n = int(folded)
        return entries[n - 1].flow if 1 <= n <= len(entries) else None
    if value is None:
        for entry in entries:
            if folded and folded == title_key(ctx.t(entry.title)):
                return entry.flow
    return None
