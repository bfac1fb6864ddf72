"""Flow definitions: ``dialogs/<flow>.yml`` loaded into frozen dataclasses and checked.

A flow is an ``id``, a ``title`` text key and an ordered list of ``steps``. Every step has an
``id`` (short ASCII: it travels inside button payloads), a ``kind`` (see ``bot.engine.steps``)
and kind-specific settings. Common settings:

- ``text``: the text key of the question or message; ``retry``: the key of the re-prompt;
- ``save``: the slot the answer is stored under (default: the step id);
- ``next``: the step after this one (default: the following step; ``end`` finishes the flow,
  ``cancel`` cancels it, ``flow:<id>`` starts another flow);
- ``routes``: answer value -> next step (``yes``/``no`` for yes_no, option values for choice);
- ``entity``: an NLU entity that answers this step when it came with the first message;
- ``skip_if``: a condition (see ``bot.engine.registry``) that skips the step;
- ``before``: hooks run when the step is entered.

A flow's ``start:`` block says how it is reached (menu, intents, commands, roles): see
:mod:`bot.engine.routing`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SPECIAL_TARGETS = ("end", "cancel")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,15}$")


@dataclass(frozen=True, slots=True)
class Option:
    """A fixed answer of a choice step: ``title`` is a text key; ``match`` are folded words."""

    value: str
    title: str
    match: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StepDef:
    """One step of a flow as written in YAML."""

    id: str
    kind: str
    text: str | None = None
    save: str = ""
    next: str | None = None
    routes: Mapping[str, str] = field(default_factory=dict)
    entity: str | None = None
    options: tuple[Option, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def slot(self) -> str:
        return self.save or self.id

    def get(self, name: str, default: Any = None) -> Any:
        return self.raw.get(name, default)


@dataclass(frozen=True, slots=True)
class FlowDef:
    """A whole flow: steps by id, in order."""

    id: str
    title: str
    steps: Mapping[str, StepDef]
    order: tuple[str, ...]
    start: Mapping[str, Any] = field(default_factory=dict)  # how it is reached (routing.py)

    @property
    def first(self) -> str:
        return self.order[0]

    def after(self, step_id: str) -> str:
        """The step written after ``step_id``, or ``end``."""
        i = self.order.index(step_id)
        return self.order[i + 1] if i + 1 < len(self.order) else "end"

    def text_keys(self) -> set[str]:
        """Every text key this flow names (checked against the catalogues by the tests)."""
        keys = {self.title}
        for d in self.steps.values():
            keys.update(k for k in (d.text, d.get("retry"), d.get("summary")) if k)
            keys.update(o.title for o in d.options)
        return keys


def _option(raw: Any) -> Option:
    return Option(
        value=str(raw["value"]),
        title=str(raw["title"]),
        match=tuple(str(m) for m in raw.get("match", ())),
    )


def _route_key(value: Any) -> str:
    """YAML 1.1 reads ``yes:`` / ``no:`` as booleans; routes mean the answers."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _step(raw: Mapping[str, Any]) -> StepDef:
    return StepDef(
        id=str(raw["id"]),
        kind=str(raw["kind"]),
        text=raw.get("text"),
        save=str(raw.get("save", "")),
        next=raw.get("next"),
        routes={_route_key(k): str(v) for k, v in (raw.get("routes") or {}).items()},
        entity=raw.get("entity"),
        options=tuple(_option(o) for o in raw.get("options", ())),
        raw=dict(raw),
    )


def parse_flow(data: Mapping[str, Any], kinds: set[str]) -> FlowDef:
    """Build and check one flow; raises ValueError naming the first problem."""
    fid = str(data.get("id", ""))
    if not _ID.match(fid):
        raise ValueError(f"flow id {fid!r} must be short lower-case ASCII")
    steps = [_step(s) for s in data.get("steps", ())]
    if not steps:
        raise ValueError(f"flow {fid} has no steps")
    by_id: dict[str, StepDef] = {}
    for d in steps:
        if not _ID.match(d.id) or d.id in by_id:
            raise ValueError(f"flow {fid}: bad or duplicate step id {d.id!r}")
        if d.kind not in kinds:
            raise ValueError(f"flow {fid}: step {d.id} has unknown kind {d.kind!r}")
        by_id[d.id] = d
    start = data.get("start") or {}
    if not isinstance(start, Mapping):
        raise ValueError(f"flow {fid}: start must be a mapping")
    flow = FlowDef(fid, str(data.get("title", f"flow.{fid}")), by_id, tuple(by_id), dict(start))
    for d in steps:
        targets = [d.next, *d.routes.values(), d.get("else")]
        targets += [c.get("goto") for c in d.get("cases", ())]
        for target in targets:
            known = target in by_id or target in SPECIAL_TARGETS
            if target and not known and not str(target).startswith("flow:"):
                raise ValueError(f"flow {fid}: step {d.id} goes to unknown {target!r}")
    return flow


NOT_FLOWS = frozenset({"commands.yml"})  # dialogs/ files that are not flows (routing.py)


def load_flows(flows_dir: Path, kinds: set[str]) -> dict[str, FlowDef]:
    """Every ``*.yml`` directly in ``flows_dir`` but :data:`NOT_FLOWS` (locales live in a
    sub-folder)."""
    flows: dict[str, FlowDef] = {}
    for path in sorted(flows_dir.glob("*.yml")):
        if path.name in NOT_FLOWS:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        try:
            flow = parse_flow(data, kinds)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path.name}: {exc}") from exc
        flows[flow.id] = flow
    for flow in flows.values():
        for d in flow.steps.values():
            for target in [d.next, *d.routes.values()]:
                if target and target.startswith("flow:") and target[5:] not in flows:
                    raise ValueError(f"{flow.id}.{d.id}: no flow {target[5:]!r}")
    return flows
