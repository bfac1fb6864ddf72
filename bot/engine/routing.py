"""Which message starts which flow, for whom: the main menu, NLU intents, global commands and
message patterns, read from the flows' ``start:`` blocks and ``dialogs/commands.yml``.

A flow file says how it is reached::

    start:
      menu: 3                         # position in the main menu (absent: not in the menu);
                                      # its title is the text menu.<flow id> (or menu_title)
      intents: [report_disaster]      # NLU intents that start it
      commands: [officer]             # commands of dialogs/commands.yml that start it
      pattern: role_code              # a message of this shape starts it (PATTERNS)
      roles: [head, officer, admin]   # who may start it (absent: everyone)

So a new flow is one file (and its texts). The menu a person sees holds only the flows their
role may start, numbered in order; a flow their role may not start cannot be reached by
typing, by a button or by the NLU either (``runner.start`` checks).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.domain.refs import normalize_ref
from bot.domain.roles import ROLES, looks_like_code
from bot.engine.flows import FlowDef
from bot.textnorm import fold

_PUNCT = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")
_ACK = re.compile(r"^\s*/?\s*nh[aậâ]n\s+(.+)$", re.IGNORECASE)


def ack_ref(text: str) -> str | None:
    """``"NHAN TT-7K3Q9M"``, ``"/nhan tt7k3q9m"``, ``"nhận TT 7K3Q9M"`` -> the reference."""
    found = _ACK.match(text)
    return normalize_ref(found.group(1)) if found else None


SAFE_WORDS = frozenset({"an toan", "toi an toan", "em an toan", "nha em an toan", "ca nha an toan"})
HELP_WORDS = frozenset({"can giup", "can giup do", "can cuu", "cuu", "cuu voi", "cuu toi"})


def safety_answer(text: str) -> str | None:
    """ "an toàn" -> "safe", "cần giúp" -> "help" (the whole message), else None."""
    folded = key(text)
    return "safe" if folded in SAFE_WORDS else "help" if folded in HELP_WORDS else None


# message shapes a flow can claim (checked before commands and the NLU)
PATTERNS: Mapping[str, Callable[[str], bool]] = {
    "role_code": looks_like_code,
    "ack_ref": lambda text: ack_ref(text) is not None,
    "safety": lambda text: safety_answer(text) is not None,
}
# shapes no one types by chance, claimed even in the middle of a flow; the others ("cần
# giúp") are everyday words there (the reason a resident gives for wanting an officer)
ANYWHERE: frozenset[str] = frozenset({"role_code", "ack_ref"})


def key(text: str) -> str:
    """The matching key: folded, punctuation as spaces, single spaces."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", fold(text))).strip()


@functools.lru_cache(maxsize=4096)
def title_key(title: str) -> str:
    """:func:`key` of a text the bot shows (a menu or option title): the same few hundred
    strings every message, folded once (folding the menu's titles was a fifth of a
    greeting's CPU). Never for what a person typed: that is not kept."""
    return key(title)


@dataclass(frozen=True, slots=True)
class MenuEntry:
    flow: str
    title: str
    position: int
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class Routing:
    """Everything that decides where a message goes outside a flow's own questions."""

    menu: tuple[MenuEntry, ...]
    intents: Mapping[str, str]  # NLU intent -> flow
    words: Mapping[str, str]  # folded words -> command name
    command_flows: Mapping[str, str]  # command name -> flow
    patterns: tuple[tuple[str, str], ...]  # (pattern name, flow)
    roles: Mapping[str, frozenset[str]]  # flow -> roles that may start it (absent: all)

    def allowed(self, flow: str, role: str) -> bool:
        allowed = self.roles.get(flow)
        return allowed is None or role in allowed

    def menu_for(self, role: str) -> list[MenuEntry]:
        return [e for e in self.menu if role in e.roles]

    def command(self, text: str, role: str | None = None) -> str | None:
        """The global command ``text`` is, or None. With ``role``, a command whose flow that
        role may not start is no command at all: the words are read like any others (a
        resident's "tin báo" is about news, not the officers' queue)."""
        name = self.words.get(key(text)) if text else None
        if name is None or role is None:
            return name
        flow = self.command_flows.get(name)
        return name if flow is None or self.allowed(flow, role) else None

    def pattern_flow(self, text: str, role: str | None = None, *, busy: bool = False) -> str | None:
        """The flow whose pattern the whole message matches (and ``role`` may start), or
        None. ``busy``: a step or an officer is waiting for this person's words; only the
        patterns of :data:`ANYWHERE` claim a message then."""
        for name, flow in self.patterns:
            if busy and name not in ANYWHERE:
                continue
            if PATTERNS[name](text) and (role is None or self.allowed(flow, role)):
                return flow
        return None

    def intent_flows(self, role: str) -> dict[str, str]:
        """Intent -> flow, for the flows ``role`` may start."""
        return {i: f for i, f in self.intents.items() if self.allowed(f, role)}


def load_routing(flows: Mapping[str, FlowDef], commands_file: Path) -> Routing:
    """Read ``start:`` blocks and the command words (none if ``commands_file`` is missing);
    ValueError names the first problem."""
    text = commands_file.read_text(encoding="utf-8") if commands_file.exists() else ""
    data = yaml.safe_load(text) or {}
    words: dict[str, str] = {}
    for name, spoken in (data.get("commands") or {}).items():
        for word in spoken:
            folded = key(str(word))
            if folded in words:
                raise ValueError(f"command word {word!r} is both {words[folded]} and {name}")
            words[folded] = str(name)
    menu: list[MenuEntry] = []
    intents: dict[str, str] = {}
    command_flows: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    roles: dict[str, frozenset[str]] = {}
    for flow in flows.values():
        start: Mapping[str, Any] = flow.start
        if "roles" in start:
            roles[flow.id] = _roles(flow.id, start["roles"])
        if "menu" in start:
            title = str(start.get("menu_title", f"menu.{flow.id}"))
            menu.append(MenuEntry(flow.id, title, int(start["menu"]), roles.get(flow.id, _ALL)))
        for intent in start.get("intents", ()):
            _claim(intents, str(intent), flow.id, "intent")
        for command in start.get("commands", ()):
            if str(command) not in set(words.values()):
                raise ValueError(f"flow {flow.id}: command {command!r} has no words")
            _claim(command_flows, str(command), flow.id, "command")
        if "pattern" in start:
            if start["pattern"] not in PATTERNS:
                raise ValueError(f"flow {flow.id}: unknown pattern {start['pattern']!r}")
            patterns.append((str(start["pattern"]), flow.id))
    menu.sort(key=lambda e: (e.position, e.flow))
    return Routing(tuple(menu), intents, words, command_flows, tuple(patterns), roles)


_ALL = frozenset(ROLES)


def _roles(flow: str, raw: Any) -> frozenset[str]:
    given = frozenset(str(r) for r in raw)
    unknown = given - _ALL
    if unknown or not given:
        raise ValueError(f"flow {flow}: bad roles {sorted(unknown) or raw!r}")
    return given


def _claim(table: dict[str, str], name: str, flow: str, what: str) -> None:
    if name in table:
        raise ValueError(f"{what} {name!r} starts both {table[name]} and {flow}")
    table[name] = flow


def intent_flows(dialogs_dir: Path) -> dict[str, str]:
    """NLU intent -> flow as the flow files say (for tools that do not build an engine)."""
    table: dict[str, str] = {}
    for path in sorted(dialogs_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for intent in (data.get("start") or {}).get("intents", ()):
            table[str(intent)] = str(data["id"])
    return table
