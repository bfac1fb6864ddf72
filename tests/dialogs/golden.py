"""Golden transcripts: replay ``testdata/<flow>.<case>.yml`` through :class:`Client`.

A file holds the contact (``channel``, ``language``, ``notice_seen``, ``village_id``), the
start time ``now`` and ``turns``. Each turn has one input (``say`` | ``click`` | ``location:
[lat, lon]`` | ``photo: name`` | ``media: [kind:ref, ...]`` (voice notes, stickers...);
``older: n`` clicks an older copy of the button), optionally ``advance: seconds`` first and
``nlu: {...}`` a canned parse) and the expected output: ``bot`` (replies: ``text``,
``buttons``, ``request``; this is also what Telegram shows), ``actions`` (name and args),
``parsed: true`` when the engine asked for NLU, and what the resident's channel shows when it
is not Telegram: ``zalo`` (messages of at most five buttons) or ``sms`` (the texts as sent and
the billed ``segments`` of the turn), rendered by ``bot.render`` with the default settings.
``BANBOT_UPDATE_GOLDEN=1`` rewrites the expected parts from the current behaviour.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.engine.engine import Engine
from bot.render import MORE_OPTIONS, render
from tests.dialogs.client import START, Client, Exchange

TESTDATA = Path(__file__).parent / "testdata"
INPUT_KEYS = ("advance", "say", "click", "older", "location", "photo", "media", "nlu")
SMS_MAX_SEGMENTS = 3  # bot.config.Settings.sms_max_segments
UPDATE = os.environ.get("BANBOT_UPDATE_GOLDEN") == "1"


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def client_for(engine: Engine, data: dict[str, Any]) -> Client:
    now = datetime.fromisoformat(str(data["now"])) if data.get("now") else START
    return Client(
        engine,
        channel=data.get("channel", "telegram"),
        language=data.get("language", "vi"),
        notice_seen=bool(data.get("notice_seen", True)),
        village_id=data.get("village_id"),
        role=data.get("role", "resident"),
        role_commune=data.get("role_commune"),
        role_village=data.get("role_village"),
        now=now,
    )


def play(client: Client, turn: dict[str, Any]) -> Exchange | None:
    """Feed one turn's input; None for a turn that only moves the clock."""
    if "advance" in turn:
        client.advance(float(turn["advance"]))
    if "say" in turn:
        return client.send(str(turn["say"]), turn.get("nlu"))
    if "click" in turn:
        return client.click(str(turn["click"]), int(turn.get("older", 0)))
    if "location" in turn:
        lat, lon = turn["location"]
        return client.share_location(float(lat), float(lon))
    if "photo" in turn:
        return client.send_photo(str(turn["photo"]))
    if "media" in turn:
        return client.send_media(*[str(m) for m in turn["media"]])
    return None


def shown(client: Client, ex: Exchange) -> dict[str, Any]:
    """What a Zalo or SMS resident sees of the turn (nothing extra for Telegram)."""
    channel = client.contact.rendering
    if channel not in ("zalo", "sms"):
        return {}
    lang = client.contact.language
    rendered = render(
        ex.replies,
        channel,
        sms_max_segments=SMS_MAX_SEGMENTS,
        numbered_hint=client.engine.text("sms.numbered_hint", lang),
        more_options_text=MORE_OPTIONS.get(lang, MORE_OPTIONS["vi"]),
    )
    if channel == "sms":
        segments = sum(int(m.segments or 0) for m in rendered)
        return {"sms": {"segments": segments, "texts": [m.text for m in rendered]}}
    messages = []
    for m in rendered:
        item: dict[str, Any] = {"text": m.text}
        if m.buttons:
            item["buttons"] = [b.title for b in m.buttons]
        messages.append(item)
    return {"zalo": messages}


def record(ex: Exchange | None, client: Client | None = None) -> dict[str, Any]:
    """The expected part of a turn, as stored in the file."""
    if ex is None:
        return {}
    out: dict[str, Any] = {}
    if ex.nlu_used:
        out["parsed"] = True
    bot = []
    for r in ex.replies:
        item: dict[str, Any] = {"text": r.text}
        if r.buttons:
            item["buttons"] = [b.title for b in r.buttons]
        if r.request:
            item["request"] = r.request
        bot.append(item)
    out["bot"] = bot
    if client is not None:
        out.update(shown(client, ex))
    if ex.actions:
        out["actions"] = [{"name": a.name, "args": a.args} for a in ex.actions]
    return out


def replay(
    engine: Engine, path: Path
) -> tuple[Client, list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Run a transcript; returns the client and (expected, actual) per turn."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    client = client_for(engine, data)
    pairs = []
    for turn in data["turns"]:
        expected = {k: v for k, v in turn.items() if k not in INPUT_KEYS}
        pairs.append((expected, record(play(client, turn), client)))
    if UPDATE:
        turns = [
            {**{k: v for k, v in turn.items() if k in INPUT_KEYS}, **actual}
            for turn, (_, actual) in zip(data["turns"], pairs, strict=True)
        ]
        data["turns"] = turns
        text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(text, encoding="utf-8")
    return client, pairs


def transcripts() -> list[Path]:
    return sorted(TESTDATA.glob("*.yml"))
