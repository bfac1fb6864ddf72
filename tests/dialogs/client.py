"""A test client that talks to the engine the way the pipeline does.

``send(text)``, ``click(title)``, ``share_location(lat, lon)``, ``send_photo()``,
``send_media("voice:...")`` each run one
input through ``wants_nlu`` -> (fake or canned NLU) -> ``step`` -> action loop (``resume``)
and return the replies. On every turn it also checks what must always hold: the session is
plain JSON (it is round-tripped, like a Redis store would), button payloads are ASCII and at
most 64 bytes, every reply has text, and a flow never asks for more than 8 actions in a row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.domain.messages import Location, Reply
from bot.engine.engine import Engine
from bot.engine.types import ActionRequest, ContactInfo, Input
from tests.dialogs.fakes import FakeExecutor, fake_nlu

ICT = timezone(timedelta(hours=7))
START = datetime(2026, 3, 10, 8, 0, tzinfo=ICT)
MAX_ACTIONS = 8


@dataclass
class Exchange:
    """What one input produced."""

    replies: list[Reply]
    actions: list[ActionRequest]
    nlu_used: bool
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.replies]

    @property
    def buttons(self) -> list[str]:
        return [b.title for r in self.replies for b in r.buttons]


class Client:
    """One resident on one channel, with a clock that only moves when told to."""

    def __init__(
        self,
        engine: Engine,
        *,
        channel: str = "telegram",
        language: str = "vi",
        notice_seen: bool = True,
        village_id: str | None = None,
        role: str = "resident",
        role_commune: str | None = None,
        role_village: str | None = None,
        now: datetime = START,
        executor: FakeExecutor | None = None,
    ) -> None:
        self.engine = engine
        self.contact = ContactInfo(
            id=1,
            address=f"{channel}:1",
            rendering=channel,
            language=language,
            village_id=village_id,
            notice_seen=notice_seen,
            role=role,
            role_commune=role_commune,
            role_village=role_village,
        )
        self.now = now
        self.session: dict[str, Any] | None = None
        self.executor = executor or FakeExecutor()
        self.history: list[Reply] = []
        self.kinds_seen: set[str] = set()
        self.last: Exchange | None = None

    # -- what a resident does -------------------------------------------------------------------

    def send(self, text: str, nlu: dict[str, Any] | None = None) -> Exchange:
        return self._run(Input(self.now, self.contact, text=text), nlu)

    def click(self, title: str, older: int = 0) -> Exchange:
        """Press the most recent button with this title, or the ``older``-th one before it
        (a button of an old message, still on the resident's screen)."""
        found = [b for r in reversed(self.history) for b in r.buttons if b.title == title]
        if len(found) <= older:
            raise AssertionError(f"button {title!r} was not shown {older + 1} time(s)")
        return self._run(Input(self.now, self.contact, button=found[older].payload), None)

    def share_location(self, lat: float, lon: float) -> Exchange:
        return self._run(Input(self.now, self.contact, location=Location(lat, lon)), None)

    def send_photo(self, name: str = "photo-1") -> Exchange:
        return self._run(Input(self.now, self.contact, media=(name,)), None)

    def send_media(self, *refs: str) -> Exchange:
        """Attachments as adapters pass them: ``"voice:AwAC..."``, ``"sticker:..."``."""
        return self._run(Input(self.now, self.contact, media=tuple(refs)), None)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    # -- the pipeline's loop --------------------------------------------------------------------

    def _run(self, inp: Input, nlu: dict[str, Any] | None) -> Exchange:
        wants = self.engine.wants_nlu(self.session, inp)
        if wants and inp.text:
            inp = replace(inp, nlu=nlu if nlu is not None else fake_nlu(inp.text))
        turn = self.engine.step(self.session, inp)
        replies, actions, events = list(turn.replies), [], list(turn.events)
        for _ in range(MAX_ACTIONS):
            if turn.action is None:
                break
            actions.append(turn.action)
            result = self.executor.run(self.contact, turn.action, self.now.isoformat())
            self._apply(turn.action, result)
            session = json.loads(json.dumps(turn.session))
            turn = self.engine.resume(session, result, inp)
            replies += turn.replies
            events += turn.events
        else:
            raise AssertionError("more than 8 actions in one turn")
        self.session = json.loads(json.dumps(turn.session))
        for reply in replies:
            assert reply.text.strip(), "a reply without text"
            for button in reply.buttons:
                payload = button.payload.encode("ascii")  # raises on non-ASCII
                assert len(payload) <= 64, button.payload
        self.kinds_seen |= {str(e["kind"]) for e in events if e.get("type") == "enter"}
        self.history += replies
        self.last = Exchange(replies, actions, wants, events)
        return self.last

    def _apply(self, action: ActionRequest, result: dict[str, Any]) -> None:
        """What the pipeline's contact.update and a granted role code do, visible from the
        next input on."""
        if action.name == "role.redeem" and result.get("granted"):
            self.contact = replace(self.contact, role=str(result["role"]))
        if action.name != "contact.update":
            return
        changes = {
            k: v for k, v in action.args.items() if k in ("notice_seen", "village_id", "language")
        }
        self.contact = replace(self.contact, **changes)
