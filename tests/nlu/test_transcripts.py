"""Issue 10's golden transcripts (tests/dialogs/testdata/nlu.*.yml), checked two more ways.

tests/dialogs/test_golden.py replays every transcript through the engine with the parses
recorded in the file. Here, for the ``nlu.*`` files:

1. each recorded parse is still what the built-in NLU (with the real gazetteer) answers for
   that message: intent, entities and values, and for ``nlu_fallback`` the two best
   candidates, so the transcripts cannot drift away from the real NLU;
2. the engine replay ends inside the file's ``journey``;
3. the whole conversation goes through the simulator (``POST /sim/messages``, SMS) on the
   whole bot - real NLU, gazetteer, pipeline, SMS rendering - and every reply is the file's
   reply as rendered for SMS.

After an intended change of the NLU, ``BANBOT_UPDATE_GOLDEN=1 pytest tests/nlu/test_transcripts.py
tests/dialogs/test_golden.py`` records the new parses, then the replies; review the diff.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.app import App
from bot.config import ROOT
from bot.domain.messages import Button, Reply
from bot.engine.engine import Engine
from bot.engine.types import EngineServices
from bot.nlu.builtin import BuiltinNlu
from bot.places.gazetteer import Gazetteer
from bot.policy.service import Policy
from bot.render.render import render
from bot.web.app import create_app
from tests.dialogs.golden import TESTDATA, UPDATE, _Dumper, replay
from tests.web.conftest import Sim

FILES = sorted(TESTDATA.glob("nlu.*.yml"))
CATEGORIES = {
    "eligibility_words", "household_change_general", "disaster_effects", "disaster_relocation",
    "disaster_plea", "subscribe_supports", "status_followup", "handover_staff", "loan_vbsp",
}  # fmt: skip


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _essence(parse: dict[str, Any]) -> dict[str, Any]:
    """What decides the engine's behaviour in a parse."""
    ranking = [r["name"] for r in parse["intent_ranking"] if r["name"] != "nlu_fallback"]
    intent = parse["intent"]["name"]
    return {
        "intent": intent,
        "candidates": ranking[:2] if intent == "nlu_fallback" else [],
        "entities": sorted(
            (e["entity"], str(e["value"]), e["start"], e["end"]) for e in parse["entities"]
        ),
    }


@pytest.fixture(scope="module")
def places() -> Gazetteer:
    return Gazetteer.load(ROOT / "data" / "places")


@pytest.fixture(scope="module")
def builtin(places: Gazetteer) -> BuiltinNlu:
    return BuiltinNlu.train(ROOT / "nlu_data", places=places)


@pytest.fixture(scope="module")
def engine(places: Gazetteer) -> Engine:
    """The engine as tests/dialogs/test_golden.py runs the transcripts (real data)."""
    policy = Policy.load(ROOT / "data" / "policy")
    services = EngineServices(places=places, policy=policy, flow_timeout_seconds=1800)
    return Engine(ROOT / "dialogs", services)


def test_every_category_has_a_transcript() -> None:
    assert {p.name.split(".")[1] for p in FILES} >= CATEGORIES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_recorded_parses_are_the_real_nlus(builtin: BuiltinNlu, path: Path) -> None:
    data = _load(path)
    parsed = [t for t in data["turns"] if "nlu" in t]
    assert parsed
    if UPDATE:
        for turn in parsed:
            turn["nlu"] = builtin.parse_sync(turn["say"])
        text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(text, encoding="utf-8")
        return
    for turn in parsed:
        assert _essence(builtin.parse_sync(turn["say"])) == _essence(turn["nlu"]), turn["say"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_engine_replay_ends_in_the_journey(engine: Engine, path: Path) -> None:
    client, pairs = replay(engine, path)
    assert all(actual == expected for expected, actual in pairs)
    assert client.session is not None
    assert client.session["flow"] == _load(path)["journey"]


def _ref(text: str) -> str:
    """Report codes are random through the simulator, scripted in the transcripts."""
    return re.sub(r"\b(TT|BD|RS|CB)-[A-Z0-9]{6}\b", r"\1-??????", text)


def _rendered(app: App, bot: list[dict[str, Any]]) -> list[str]:
    replies = [
        Reply(r["text"], tuple(Button(title, "x") for title in r.get("buttons", ()))) for r in bot
    ]
    hint = app.engine.text("sms.numbered_hint", "vi")
    settings = app.settings
    messages = render(
        replies, "sms", sms_max_segments=settings.sms_max_segments,
        sms_unaccented=settings.sms_unaccented, numbered_hint=hint,
    )  # fmt: skip
    return [m.text for m in messages]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
async def test_through_the_simulator_as_sms(bot_app: App, path: Path) -> None:
    data = _load(path)
    assert data["channel"] == "sms"
    api = create_app(app_obj=bot_app)
    api.state.bot = bot_app
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as http:
        sim = Sim(http, "villager", channel="sms")
        await sim.send("xin chào")  # the first-contact notice, as notice_seen in the file
        for i, turn in enumerate(data["turns"], 1):
            replies = await sim.send(turn["say"])
            got = [_ref(r["text"]) for r in replies]
            assert got == [_ref(t) for t in _rendered(bot_app, turn["bot"])], (path.name, i)
            assert all(not r["buttons"] for r in replies)  # SMS: options are numbered lines
