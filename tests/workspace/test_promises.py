"""What the workspace tells residents is true of what the bot does."""

from __future__ import annotations

import httpx
import pytest

from bot.app import App
from bot.web.app import create_app


@pytest.mark.parametrize(("language", "words"), [("vi", "gặp cán bộ"), ("en", "talk to officer")])
async def test_the_rejection_text_names_words_that_reach_an_officer(
    bot_app: App, language: str, words: str
) -> None:
    """officer.status.rejected says: to ask more, send "<words>". Those words must start the
    handover journey (the resident can reach an officer)."""
    told = bot_app.engine.text("officer.status.rejected", language, ref="TT-ABCDEF", reason="x")
    assert f'"{words}"' in told
    api = create_app(app_obj=bot_app)
    api.state.bot = bot_app
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://t") as c:
        await c.post("/sim/messages", json={"user": f"p-{language}", "text": "xin chào"})
        r = await c.post("/sim/messages", json={"user": f"p-{language}", "text": words})
    text = " ".join(m["text"] for m in r.json()["replies"])
    assert bot_app.engine.text("ho.ask_reason", "vi").split("?")[0] in text
