"""A crash between saving a flagged report and queueing its alert loses nothing: the alert is
a job row committed with the report, and the next start's sweeper queues it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from bot.app import App, build_app
from bot.domain.messages import Inbound
from bot.store.models import OutboundMessage
from tests.conftest import make_settings


async def _say(app: App, user: str, text: str) -> str:
    msg = Inbound("sim", f"sim:{user}", f"{user}-{text}", text=text, rendering="telegram")
    return " ".join(r.text for r in (await app.pipeline.handle(msg)).replies)


async def _alerts(app: App) -> list[str]:
    async with app.store.engine.connect() as conn:
        rows = await conn.execute(
            select(OutboundMessage.urn).where(OutboundMessage.kind == "alert")
        )
        return [u for (u,) in rows]


async def test_alert_survives_a_crash_before_it_was_queued(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    first = await build_app(settings)
    async with first.store.transaction() as tx:
        officer = await tx.contacts.get_or_create("sim:can.bo", "sim", "vi")
        await tx.contacts.update(officer.id, role="officer", role_commune="03664")

    async def lost(work: object) -> None:
        raise RuntimeError("the process died right after the commit")

    first.store.on_commit(lost)  # the work never reaches the queue
    await _say(first, "ba.con", "xin chào")
    await _say(first, "ba.con", "nhà em ở bản nam niệu bị ngập")
    said = await _say(first, "ba.con", "có")  # someone in danger: filed at once
    assert "báo khẩn cho cán bộ xã" in said  # the promise the bot makes ...
    assert await _alerts(first) == []  # ... is not kept yet
    await first.aclose()

    second = await build_app(settings, migrate=False)  # the restart
    try:
        assert second.channels is not None
        second.channels.start(sweep=True)  # as `banbot serve` does with the local queue
        async with asyncio.timeout(15):
            while not await _alerts(second):  # noqa: ASYNC110 - the database is the signal
                await asyncio.sleep(0.05)
        assert await _alerts(second) == ["sim:can.bo"]
        await second.channels.drain()
        async with second.store.read() as tx:
            ready = await tx.outbound.pushed_to("sim:can.bo")
        assert [m.kind for m in ready] == ["alert"]  # handed to the (simulated) provider
    finally:
        await second.aclose()
