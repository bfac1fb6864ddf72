"""Low confidence never guesses: ask which of the two likeliest journeys the resident meant.

When the NLU answers ``nlu_fallback`` and the two best real intents of its ``intent_ranking``
both start a journey and both are at least :data:`MIN_CONFIDENCE` likely, the bot asks
"Ý bà con là: báo thiên tai hay tìm hiểu vay vốn?" with those two journeys and "Menu" as
buttons. A button press (or, on SMS, the typed number "1"/"2") starts that journey with the
entities of the unclear message filled in; anything else is read afresh. Gibberish spreads its
probability thin (the second candidate well under 0.2), so it still gets the plain menu.
"""

from __future__ import annotations

from typing import Any

from bot.domain.messages import Button, Reply
from bot.engine import runner
from bot.engine.commands import key
from bot.engine.context import Ctx
from bot.engine.menu import menu_reply
from bot.engine.runner import Out

FALLBACK_INTENT = "nlu_fallback"
MIN_CONFIDENCE = 0.2
BUTTON_SCOPE = "clarify"  # payload "menu:clarify:<flow id>"


def options(nlu: dict[str, Any], intent_flows: dict[str, str]) -> list[str]:
    """The two journeys to offer for an ``nlu_fallback`` parse, or [] when there are none."""
    ranking = [
        r
        for r in nlu.get("intent_ranking") or ()
        if isinstance(r, dict) and r.get("name") != FALLBACK_INTENT
    ]
    ranking.sort(key=lambda r: -float(r.get("confidence") or 0.0))
    top = ranking[:2]
    if len(top) < 2 or any(float(r.get("confidence") or 0.0) < MIN_CONFIDENCE for r in top):
        return []
    flows = [intent_flows.get(str(r.get("name"))) for r in top]
    if None in flows or flows[0] == flows[1]:
        return []
    return [f for f in flows if f]


def ask(ctx: Ctx, flows: list[str], entities: dict[str, str]) -> Out:
    """The clarifying question; remembers the offer and the entities in the session."""
    ctx.session["clarify"] = list(flows)
    ctx.session["prefill"] = dict(entities)
    titles = [ctx.t(ctx.flows[f].title) for f in flows]
    buttons = tuple(
        Button(_capital(title), f"menu:{BUTTON_SCOPE}:{flow}")
        for title, flow in zip(titles, flows, strict=True)
    )
    menu = Button(ctx.t("clarify.menu_btn"), "sys:cmd:menu")
    text = ctx.t("clarify.question", first=titles[0], second=titles[1])
    return [Reply(text, (*buttons, menu))], None


def answer(ctx: Ctx, offered: list[str], value: str | None = None) -> Out | None:
    """Start the journey chosen by button ``value`` or typed number; None if none was chosen.

    The typed number after the offered journeys is the "Menu" button (numbered on SMS).
    """
    flow = value if value in offered else None
    folded = key(ctx.text) if value is None else ""
    if folded.isdecimal() and 1 <= int(folded) <= len(offered):
        flow = offered[int(folded) - 1]
    if folded.isdecimal() and int(folded) == len(offered) + 1:
        return [menu_reply(ctx)], None
    if flow is None or flow not in ctx.flows:
        return None
    prefill = dict(ctx.session.get("prefill") or {})
    return runner.start(ctx, flow, prefill)


def _capital(title: str) -> str:
    return title[:1].upper() + title[1:]
