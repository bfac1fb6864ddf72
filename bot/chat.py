"""``banbot chat``: talk to the bot in a terminal through the simulator channel."""

from __future__ import annotations

import asyncio
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import yaml

from bot.app import build_app
from bot.config import Settings
from bot.domain.messages import Inbound, Location
from bot.render.render import render


async def run_chat(settings: Settings, *, user: str, channel: str, record: Path | None) -> None:
    """Read lines from stdin until EOF or ``/quit``; print the replies as the channel shows them.

    A line ``/pin LAT LON`` shares a location and ``/photo NAME`` sends a photo reference.
    With ``record`` the conversation is written as a transcript YAML file on exit.
    """
    app = await build_app(settings)
    turns: list[dict[str, Any]] = []
    click.echo("Bản Bot — gõ tin nhắn (/quit để thoát, /pin LAT LON, /photo TEN)", err=True)
    try:
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line or line.strip() == "/quit":
                break
            inbound, said = _inbound(line.rstrip("\n"), user, channel)
            outcome = await app.pipeline.handle(inbound)
            shown = render(
                outcome.replies,
                channel,
                sms_max_segments=settings.sms_max_segments,
                sms_unaccented=settings.sms_unaccented,
                numbered_hint=app.engine.text("sms.numbered_hint", outcome.language),
            )
            bot_turn = []
            for msg in shown:
                click.echo(f"🤖 {msg.text}")
                for b in msg.buttons:
                    click.echo(f"   [{b.title}]")
                bot_turn.append({"text": msg.text, "buttons": [b.title for b in msg.buttons]})
            turns.append({**said, "bot": bot_turn})
    finally:
        await app.aclose()
    if record is not None:
        await asyncio.to_thread(
            record.write_text,
            yaml.safe_dump(
                {"channel": channel, "turns": turns}, allow_unicode=True, sort_keys=False
            ),
            "utf-8",
        )
        click.echo(f"recorded {len(turns)} turns to {record}", err=True)


def _inbound(line: str, user: str, channel: str) -> tuple[Inbound, dict[str, Any]]:
    """``/pin LAT LON`` shares a location, ``/photo NAME`` a photo; anything else is text."""
    parts = line.split()
    msg = Inbound(
        adapter="sim",
        address=f"sim:{user}",
        external_id=uuid.uuid4().hex,
        text=line,
        rendering=channel,
    )
    if len(parts) == 3 and parts[0] == "/pin":
        try:
            lat, lon = float(parts[1]), float(parts[2])
        except ValueError:
            return msg, {"say": line}
        return replace(msg, text="", location=Location(lat, lon)), {"location": [lat, lon]}
    if len(parts) == 2 and parts[0] == "/photo":
        return replace(msg, text="", media=(parts[1],)), {"photo": parts[1]}
    return msg, {"say": line}
