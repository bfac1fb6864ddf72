"""Low confidence never guesses: go where the words point, or ask which journey was meant.

:func:`route` decides where a parse leads outside a flow. An entity that names a journey's
subject (:data:`ENTITY_INTENTS`: a hazard, a change type, a loan programme, a report code)
settles an unsure parse: "bản Nà Cang ngập rồi giúp với" starts the disaster journey even when
no intent passed the threshold, and a hazard in a message read as "help" does too.

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
# Entities that name the subject of one journey's intent.
ENTITY_INTENTS = {
    "hazard": "report_disaster",
    "change_type": "report_household_change",
    "loan_program": "ask_loan_programs",
    "report_ref": "check_report_status",
}
FAREWELLS = frozenset({"thank", "goodbye"})  # never turned into a journey by an entity


def route(nlu: dict[str, Any], intent_flows: dict[str, str]) -> list[str]:
    """Where a parse leads outside a flow: one journey (start it), two (ask which), or none.

    - an intent that starts a journey: that journey;
    - a farewell: none;
    - ``nlu_fallback`` with one journey pointed to by the entities: the two-option question of
      :func:`options` when it offers that journey ("nhà sập, có được vay không": disaster or
      loans?); else that journey when it is the likeliest journey of the ranking (or the
      ranking has none), or the likeliest and the pointed one to choose from;
    - ``nlu_fallback`` with two journeys pointed to: those two; with none: :func:`options`;
    - any other intent (help, greet, yes/no): the journey(s) the entities point to, if any.
    """
    intent = _name(nlu.get("intent"))
    if intent in intent_flows:
        return [intent_flows[intent]]
    if intent in FAREWELLS:
        return []
    ranked = _ranked(nlu, intent_flows)
    pointed = _pointed(nlu, intent_flows, ranked)
    if intent != FALLBACK_INTENT or len(pointed) > 1:
        return pointed[:2]
    offered = options(nlu, intent_flows)
    if not pointed or pointed[0] in offered:
        return offered
    top = ranked[0] if ranked else pointed[0]
    return pointed if top == pointed[0] else [top, pointed[0]]


def _name(value: Any) -> str:
    return str(value.get("name") or "") if isinstance(value, dict) else ""


def _ranked(nlu: dict[str, Any], intent_flows: dict[str, str]) -> list[str]:
    """Journeys of the ranking at least :data:`MIN_CONFIDENCE` likely, likeliest first."""
    ranking = [r for r in nlu.get("intent_ranking") or () if isinstance(r, dict)]
    ranking.sort(key=lambda r: -float(r.get("confidence") or 0.0))
    flows = [
        intent_flows[_name(r)]
        for r in ranking
        if _name(r) in intent_flows and float(r.get("confidence") or 0.0) >= MIN_CONFIDENCE
    ]
    return list(dict.fromkeys(flows))


def _pointed(nlu: dict[str, Any], intent_flows: dict[str, str], ranked: list[str]) -> list[str]:
    """Journeys the entities point to: those of the ranking first, then in the text's order."""
    names = [str(e.get("entity")) for e in nlu.get("entities") or () if isinstance(e, dict)]
    flows = [intent_flows.get(ENTITY_INTENTS.get(n, ""), "") for n in names]
    found = list(dict.fromkeys(f for f in flows if f))
    return sorted(found, key=lambda f: ranked.index(f) if f in ranked else len(ranked))


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
