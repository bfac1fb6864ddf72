"""The simulator files reports with no channel authentication: off in production unless a
setting turns it on; the web chat at / then leads to the workspace."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.app import build_app
from bot.config import Settings
from bot.web.app import create_app
from tests.conftest import make_settings


async def _get(settings: Settings) -> tuple[int, int, str]:
    bot = await build_app(settings)
    api = create_app(app_obj=bot)
    api.state.bot = bot
    try:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            sim = await client.post("/sim/messages", json={"user": "u", "text": "xin chào"})
            index = await client.get("/")
    finally:
        await bot.aclose()
    return sim.status_code, index.status_code, index.headers.get("location", "")


@pytest.mark.parametrize(
    ("env", "switch", "served"),
    [
        ("development", None, True),
        ("test", None, True),
        ("production", None, False),
        ("production", True, True),
        ("development", False, False),
    ],
)
async def test_simulator_switch(
    tmp_path: Path, env: str, switch: bool | None, served: bool
) -> None:
    settings = make_settings(tmp_path, env=env, workspace={"simulator": switch})
    assert settings.simulator_enabled is served
    sim, index, location = await _get(settings)
    if served:
        assert (sim, index) == (200, 200)
    else:
        assert (sim, index, location) == (404, 303, "/ws/")


def test_the_switch_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANBOT_ENV", "production")
    assert Settings().simulator_enabled is False
    monkeypatch.setenv("BANBOT_WORKSPACE__SIMULATOR", "true")
    assert Settings().simulator_enabled is True
