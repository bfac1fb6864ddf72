"""End to end through the Android gateway: signed webhook in -> pipeline -> SMS out (respx).

A resident greets the bot by SMS, gets the menu as numbered options, answers "1" and gets the
next question; every reply leaves as one ``POST /messages`` to the gateway.
"""

from __future__ import annotations

import json
import time

import httpx
import respx
from fastapi import FastAPI

from bot.app import App
from bot.channels.base import ParseResult
from bot.channels.webhook import webhook_router
from bot.config import Settings
from bot.ports import ChannelAdapter
from integrations.android_sms import signature
from integrations.android_sms.adapter import AndroidSmsAdapter
from integrations.registry import AdapterDeps

API = "https://api.sms-gate.app/3rdparty/v1"
KEY = "Zx9kQ2pL"


def sms(text: str, n: int) -> bytes:
    payload = {
        "messageId": f"{n:08x}",
        "message": text,
        "sender": "0912345678",
        "receivedAt": f"2026-07-03T09:00:0{n}.000+07:00",
    }
    return json.dumps({"event": "sms:received", "id": f"env{n}", "payload": payload}).encode()


async def test_greeting_then_menu_choice_by_number(bot_app: App) -> None:
    settings = Settings(
        env="test",
        android_sms={"enabled": True, "username": "sms", "password": "pw", "signing_key": KEY},  # type: ignore[arg-type]
    )
    deps = AdapterDeps(state=None, texts=lambda key, lang: bot_app.engine.text(key, lang))
    adapter = AndroidSmsAdapter(settings, deps)

    async def sink(channel: ChannelAdapter, result: ParseResult) -> None:
        for inbound in result.inbounds:
            outcome = await bot_app.pipeline.handle(inbound)
            for message in channel.render(inbound.address, outcome.replies, outcome.language):
                await channel.send(message)

    app = FastAPI()
    app.include_router(webhook_router({adapter.name: adapter}, sink))
    accepted = {
        "id": "x",
        "state": "Pending",
        "recipients": [{"phoneNumber": "+84912345678", "state": "Pending"}],
    }
    counts: list[int] = []
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{API}/messages").respond(202, json=accepted)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="https://bot.example.vn"
        ) as client:
            for n, text in enumerate(["xin chao", "1"], start=1):
                raw, ts = sms(text, n), str(int(time.time()))
                headers = {"X-Signature": signature.sign(KEY, raw, ts), "X-Timestamp": ts}
                response = await client.post("/webhooks/android_sms", content=raw, headers=headers)
                assert response.status_code == 200
                counts.append(len(route.calls))
        bodies = [json.loads(call.request.content) for call in route.calls]
    await adapter.aclose()
    assert all(b["phoneNumbers"] == ["+84912345678"] for b in bodies)
    texts = [b["textMessage"]["text"] for b in bodies]
    greeting, answer = texts[: counts[0]], texts[counts[0] : counts[1]]
    option = f"1. {bot_app.engine.text('menu.eligibility', 'vi')}"
    assert any(option in t for t in greeting), greeting
    assert greeting[-1].endswith(bot_app.engine.text("sms.numbered_hint", "vi"))
    assert answer and not any(option in t for t in answer), answer  # the flow moved on
