"""Named Python functions the flows refer to: conditions, hooks, getters, options, actions,
validators. Each registry is a plain dict filled by ``bot.engine.functions`` at import.

- condition ``(ctx) -> bool``; in YAML also ``slot:<name>`` (truthy) and ``not:<cond>``;
- hook ``(ctx) -> JSON`` slots to merge when a step is entered (computed values);
- getter ``(ctx) -> dict`` placeholders for a message text;
- options ``(ctx) -> list[(value, title)]`` dynamic choice options;
- action ``(ctx) -> ActionRequest`` built from the slots;
- validator ``(ctx, text) -> value | None`` for ask_text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.engine.context import Ctx
from bot.engine.types import JSON, ActionRequest

Condition = Callable[[Ctx], bool]
Hook = Callable[[Ctx], JSON]
Getter = Callable[[Ctx], dict[str, Any]]
Options = Callable[[Ctx], list[tuple[str, str]]]
ActionBuilder = Callable[[Ctx], ActionRequest]
Validator = Callable[[Ctx, str], Any]

CONDITIONS: dict[str, Condition] = {}
HOOKS: dict[str, Hook] = {}
GETTERS: dict[str, Getter] = {}
OPTIONS: dict[str, Options] = {}
ACTIONS: dict[str, ActionBuilder] = {}
VALIDATORS: dict[str, Validator] = {}


def check(ctx: Ctx, cond: str) -> bool:
    """Evaluate a condition written in a flow."""
    if cond.startswith("not:"):
        return not check(ctx, cond[4:])
    if cond.startswith("slot:"):
        return bool(ctx.slots.get(cond[5:]))
    return CONDITIONS[cond](ctx)


def placeholders(ctx: Ctx, getter: str | None) -> dict[str, Any]:
    """Slots plus the getter's values, for formatting a text."""
    values: dict[str, Any] = dict(ctx.slots)
    if getter:
        values.update(GETTERS[getter](ctx))
    return values


def known(kind: str, name: str) -> bool:
    tables: dict[str, dict[str, Any]] = {
        "condition": CONDITIONS,
        "hook": HOOKS,
        "getter": GETTERS,
        "options": OPTIONS,
        "action": ACTIONS,
        "validator": VALIDATORS,
    }
    return name in tables[kind]
