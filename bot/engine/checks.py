"""Load-time consistency checks: every named function and every text key a flow uses exists.

Run by ``Engine.__init__`` so a bad flow file stops the bot at start, not in a conversation.
"""

from __future__ import annotations

from bot.engine import registry
from bot.engine.flows import FlowDef
from bot.engine.steps import STEPS
from bot.engine.texts import Catalog

# (setting name, registry kind) of the named functions a step may refer to.
_REFS = (
    ("getter", "getter"),
    ("options_from", "options"),
    ("action", "action"),
    ("validate", "validator"),
)


def _conditions(value: str) -> str:
    while value.startswith("not:"):
        value = value[4:]
    return value


def used_text_keys(flows: dict[str, FlowDef]) -> set[str]:
    """Text keys named by the flows and by the step kinds they use."""
    keys: set[str] = set()
    for flow in flows.values():
        keys |= flow.text_keys()
        for d in flow.steps.values():
            keys |= STEPS[d.kind].text_keys()
            keys |= {str(d.get("skip"))} if d.get("skip") else set()
    return keys


def check_flows(flows: dict[str, FlowDef], catalog: Catalog) -> None:
    """Raise ValueError naming the first unknown function or text key."""
    for flow in flows.values():
        for d in flow.steps.values():
            where = f"{flow.id}.{d.id}"
            for setting, kind in _REFS:
                name = d.get(setting)
                if name and not registry.known(kind, str(name)):
                    raise ValueError(f"{where}: no {kind} function {name!r}")
            for hook in d.get("before", ()):
                if not registry.known("hook", str(hook)):
                    raise ValueError(f"{where}: no hook {hook!r}")
            conds = [d.get("skip_if"), d.get("when"), *(c.get("if") for c in d.get("cases", ()))]
            for cond in filter(None, conds):
                name = _conditions(str(cond))
                if not name.startswith("slot:") and not registry.known("condition", name):
                    raise ValueError(f"{where}: no condition {cond!r}")
    missing = sorted(k for k in used_text_keys(flows) if not catalog.has(k))
    if missing:
        raise ValueError(f"text keys missing from vi.yml: {', '.join(missing)}")
