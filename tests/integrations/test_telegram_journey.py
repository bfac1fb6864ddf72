"""A whole resident journey over Telegram: webhook in -> real pipeline -> render -> sendMessage.

The resident only does what a Telegram user can: type, press inline buttons that the bot
actually sent (the callback_data comes from the captured sendMessage), press the reply
keyboard's location button (a location message), send a photo. The report saved at the end
proves every Telegram input reached the engine intact.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.channels.base import ParseResult
from bot.channels.webhook import webhook_router
from bot.ports import ChannelAdapter
from bot.store.models import Report
from integrations.telegram.fake import FAKE_SECRET, fake_adapter

BOT = {"id": 7000000001, "is_bot": True, "first_name": "Bản Bot"}
REF = re.compile(r"\bTT-[A-Z2-9]{6}\b")


class Resident:
    """One Telegram user talking to the whole bot through ``POST /webhooks/telegram``."""

    def __init__(self, app: App, user_id: int, name: str) -> None:
        self.app = app
        self.user = {"id": user_id, "is_bot": False, "first_name": name, "language_code": "vi"}
        self.chat = {"id": user_id, "type": "private", "first_name": name}
        self.adapter, self.session = fake_adapter()
        web = FastAPI()
        web.include_router(webhook_router({"telegram": self.adapter}, self.sink))
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web), base_url="https://bot.example.vn"
        )
        self.ids = itertools.count(815100000)
        self.last: list[dict[str, Any]] = []
        self.replayed: dict[str, Any] = {}

    async def sink(self, adapter: ChannelAdapter, result: ParseResult) -> None:
        for msg in result.inbounds:
            outcome = await self.app.pipeline.handle(msg)
            for out in adapter.render(msg.address, outcome.replies, outcome.language):
                await adapter.send(out)

    async def post(self, update: dict[str, Any], expect_reply: bool = True) -> list[dict[str, Any]]:
        self.replayed = update
        before = len(self.session.sent())
        headers = {"X-Telegram-Bot-Api-Secret-Token": FAKE_SECRET}
        r = await self.client.post("/webhooks/telegram", json=update, headers=headers)
        assert r.status_code == 200, r.text
        new = self.session.sent()[before:]
        assert bool(new) == expect_reply, f"replies {new} to {update}"
        self.last = new or self.last
        return self.last

    def message(self, **content: Any) -> dict[str, Any]:
        uid = next(self.ids)
        body = {"message_id": uid % 10000, "from": self.user, "chat": self.chat, "date": 1767225600}
        return {"update_id": uid, "message": {**body, **content}}

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.post(self.message(text=text))

    async def click(self, title: str) -> list[dict[str, Any]]:
        for sent in reversed(self.last):
            for row in sent["reply_markup"].get("inline_keyboard", []):
                if row[0]["text"] == title:
                    return await self.post(self.callback(sent, row[0]["callback_data"]))
        raise AssertionError(f"no inline button {title!r} in {self.last}")

    def callback(self, sent: dict[str, Any], data: str) -> dict[str, Any]:
        uid = next(self.ids)
        shown = {"message_id": 9, "from": BOT, "chat": self.chat, "date": 1767225600}
        shown |= {"text": sent["text"], "reply_markup": sent["reply_markup"]}
        query = {"id": f"cb{uid}", "from": self.user, "chat_instance": "-58714", "data": data}
        return {"update_id": uid, "callback_query": {**query, "message": shown}}

    def keyboard(self) -> list[list[dict[str, Any]]]:
        rows: list[list[dict[str, Any]]] = self.last[-1]["reply_markup"].get("keyboard", [])
        return rows

    @property
    def text(self) -> str:
        return "\n".join(s["text"] for s in self.last)


async def stored_reports(app: App) -> list[Report]:
    async with AsyncSession(app.store.engine) as session:
        return list((await session.execute(select(Report))).scalars())


async def flood_until_location(res: Resident) -> None:
    await res.say("/start")
    assert "13/2023" in res.text  # first contact: the data notice, then the menu
    await res.click("Báo thiên tai / cần di dời")
    assert "nguy hiểm" in res.text
    await res.click("Có")
    assert "112" in res.text
    await res.click("Ngập lụt / nước đọng")
    await res.say("ban nam nieu")
    await res.say("5 người")
    for title in ("Người già", "Trẻ em", "Xong"):
        await res.click(title)
    await res.click("Bị ngập")
    [[pin], [skip]] = res.keyboard()  # the one-time reply keyboard asks for the location
    assert pin["request_location"] is True and skip == {"text": "Bỏ qua"}


async def test_disaster_report_over_telegram(bot_app: App) -> None:
    lan = Resident(bot_app, 123456789, "Lò Thị")
    await flood_until_location(lan)
    await lan.post(lan.message(location={"latitude": 21.3256, "longitude": 103.9188}))
    assert "ảnh" in lan.text
    photo = [
        {"file_id": "AgACAgUAAxkBAAIBsmS1", "file_unique_id": "AQAD1", "width": 90, "height": 67},
        {"file_id": "AgACAgUAAxkBAAIBsmS3", "file_unique_id": "AQAD3", "width": 800, "height": 600},
    ]
    await lan.post(lan.message(photo=photo, caption="nước vào nhà"))
    assert "có vị trí; 1 ảnh" in lan.text
    await lan.click("Có")
    ref = REF.search(lan.text)
    assert ref, lan.text
    [report] = await stored_reports(bot_app)
    assert report.ref == ref.group(0)
    assert (report.lat, report.lon) == (21.3256, 103.9188)
    assert report.photos == ["AgACAgUAAxkBAAIBsmS3"]  # the largest size, by reference
    assert report.village_id == "03664:nam niệu"
    assert report.details["vulnerable"] == ["elderly", "children"]
    # Telegram retries the confirming press (say our 200 got lost): still one report.
    await lan.post(lan.replayed, expect_reply=False)
    assert len(await stored_reports(bot_app)) == 1

    # Another resident presses the reply keyboard's "Bỏ qua" (a plain text message) and the
    # photo step's inline "Bỏ qua": both skip, and the report has no pin and no photo.
    pao = Resident(bot_app, 987654321, "Vàng A Páo")
    await flood_until_location(pao)
    await pao.say("Bỏ qua")
    assert "ảnh" in pao.text
    await pao.click("Bỏ qua")
    await pao.click("Có")
    ref = REF.search(pao.text)
    assert ref, pao.text
    [second] = [r for r in await stored_reports(bot_app) if r.ref == ref.group(0)]
    assert (second.lat, second.lon, second.photos) == (None, None, [])
