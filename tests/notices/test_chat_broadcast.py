"""A village head's notice from the chat, end to end through the simulator: the right people
get it on their own channel (the simulator's outbox shows who got what), the others do not;
"tiến độ" and the summary tell the head how it went; a disaster warning reaches everyone of
the village who did not send STOP, and "cần giúp" becomes a flagged report that alerts the
officers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import App, build_app
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.web.conftest import Sim

NAM_NIEU = "03664:nam niệu"
PANH = "03664:panh"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    bot = await build_app(make_settings(tmp_path, notice_watch_seconds=1))
    try:
        yield bot
    finally:
        await bot.aclose()


@pytest.fixture
async def http(app: App) -> AsyncIterator[httpx.AsyncClient]:
    api = create_app(app_obj=app)
    api.state.bot = app
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
        yield client


async def person(
    app: App, user: str, village: str | None, topics: tuple[str, ...] = (), **role: str
) -> int:
    async with app.store.transaction() as tx:
        c = await tx.contacts.get_or_create(f"sim:{user}", "sim", "vi", rendering="telegram")
        await tx.contacts.update(c.id, village_id=village, notice_seen=True, **role)  # type: ignore[arg-type]
        if topics:
            await tx.subscriptions.set(c.id, topics, True)
    return c.id


async def outbox(http: httpx.AsyncClient, user: str) -> list[dict[str, Any]]:
    r = await http.get(f"/sim/outbox/{user}")
    assert r.status_code == 200
    messages: list[dict[str, Any]] = r.json()["messages"]
    return messages


async def settle(app: App, until: float = 10) -> None:
    assert app.channels is not None
    async with asyncio.timeout(until):
        await app.channels.drain()


async def test_a_head_reaches_the_subscribers_of_their_village(
    app: App, http: httpx.AsyncClient
) -> None:
    await person(app, "truong.ban", NAM_NIEU, role="head", role_village=NAM_NIEU)
    await person(app, "a", NAM_NIEU, ("village_notices",))
    await person(app, "b", NAM_NIEU, ("village_notices", "loans"))
    await person(app, "c", NAM_NIEU, ("loans",))  # other topic
    await person(app, "d", PANH, ("village_notices",))  # other village
    stopped = await person(app, "e", NAM_NIEU, ("village_notices",))
    async with app.store.transaction() as tx:
        await tx.contacts.set_stopped(stopped, True)
    head = Sim(http, "truong.ban")
    await head.send("thông báo")
    await head.send("Sáng mai 7 giờ họp bản ở nhà văn hoá.")
    await head.click("Thông báo của bản")
    assert "Sẽ gửi tới 2 người ở bản Nam Niệu: 2 thử nghiệm" in head.text  # a, b
    await head.click("Gửi ngay")
    await head.click("Có")
    assert "Đã nhận thông báo số" in head.text
    await settle(app)
    for user, gets in (("a", True), ("b", True), ("c", False), ("d", False), ("e", False)):
        got = [m["text"] for m in await outbox(http, user)]
        assert bool(got) == gets, (user, got)
        if gets:
            assert got == ["📢 trưởng bản Nam Niệu: Sáng mai 7 giờ họp bản ở nhà văn hoá."]
    await head.send("tiến độ")
    assert "2/2" in head.text
    async with asyncio.timeout(10):  # the summary comes once the watch sees nothing waiting
        while not await outbox(http, "truong.ban"):  # noqa: ASYNC110 - polling the outbox
            await asyncio.sleep(0.1)
    [summary] = await outbox(http, "truong.ban")
    assert "đã gửi xong: 2/2 người nhận, 0 lỗi" in str(summary["text"])


async def test_a_warning_reaches_everyone_and_a_call_for_help_alerts(
    app: App, http: httpx.AsyncClient
) -> None:
    await person(app, "can.bo", None, role="officer", role_commune="03664")
    x = await person(app, "x", NAM_NIEU)  # subscribed to nothing: a warning reaches them anyway
    y = await person(app, "y", NAM_NIEU, ("loans",))
    await person(app, "z", PANH)  # another village of the commune
    officer = Sim(http, "can.bo")
    await officer.send("thong bao")
    await officer.send("Nước suối lên nhanh, bà con tránh xa bờ suối.")
    await officer.click("Cảnh báo thiên tai")
    await officer.click("Có")  # ask for answers
    await officer.click("bản Nam Niệu")
    assert "Sẽ gửi tới 2 người ở bản Nam Niệu" in officer.text
    await officer.click("Gửi ngay")
    await officer.click("Có")
    await settle(app)
    assert await outbox(http, "z") == []
    [warning] = await outbox(http, "x")
    assert "CẢNH BÁO THIÊN TAI, phường Chiềng An: Nước suối lên nhanh" in str(warning["text"])
    titles = [b["title"] for b in warning["buttons"]]
    assert titles == ["An toàn", "Cần giúp"]
    resident = Sim(http, "x")
    help_button = warning["buttons"][1]
    await resident.send("Cần giúp", button=help_button["payload"])
    assert "báo khẩn cán bộ xã" in resident.text
    await Sim(http, "y").send("an toàn")
    await settle(app)
    alerts = [m for m in await outbox(http, "can.bo") if m["kind"] == "alert"]
    assert len(alerts) == 1 and "KHẨN" in str(alerts[0]["text"])
    async with app.store.read() as tx:
        [helped] = await tx.reports.latest(x)
        [safe] = await tx.reports.latest(y)
    assert (helped.subtype, helped.flagged, helped.status) == ("need_help", True, "new")
    assert (safe.subtype, safe.flagged, safe.status) == ("safe", False, "resolved")
    assert f"Trả lời cảnh báo số {helped.details['from_notice']}: CẦN GIÚP" in str(
        alerts[0]["text"]
    )
