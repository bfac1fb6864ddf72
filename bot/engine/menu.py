"""The main menu, the session's empty shape, and leaving a flow."""

from __future__ import annotations

from bot.domain.messages import Button, Reply
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.types import JSON

# (flow id, title key) in the order residents see them; buttons carry the position.
MENU: tuple[tuple[str, str], ...] = (
    ("eligibility", "menu.eligibility"),
    ("household_change", "menu.household_change"),
    ("disaster", "menu.disaster"),
    ("loans", "menu.loans"),
    ("report_status", "menu.report_status"),
    ("handover", "menu.handover"),
)
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
    """The menu as buttons (numbered by the SMS renderer)."""
    buttons = tuple(Button(ctx.t(title), f"menu:main:{n}") for n, (_, title) in enumerate(MENU, 1))
    return Reply(ctx.t(text_key), buttons)


def menu_pick(ctx: Ctx, value: str | None = None) -> str | None:
    """The flow a menu answer names: a button position, "1".."6", or a typed title."""
    raw = value if value is not None else ctx.text
    folded = key(raw)
    if folded.isdecimal():
        n = int(folded)
        return MENU[n - 1][0] if 1 <= n <= len(MENU) else None
    if value is None:
        for flow, title in MENU:
            if folded and folded == key(ctx.t(title)):
                return flow
    return None
