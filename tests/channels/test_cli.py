"""``banbot webhooks set|info``: the URL, and clear errors when something is missing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import bot.channels.cli as wcli
from bot.cli import main
from integrations import registry
from tests.channels.fakes import FakeAdapter, adapter_module
from tests.conftest import make_settings


class Registering(FakeAdapter):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.urls: list[str] = []

    async def set_webhook(self, url: str) -> None:
        self.urls.append(url)

    async def webhook_info(self) -> dict[str, Any]:
        return {"url": "https://bot.example.vn/webhooks/telegram", "pending_update_count": 0}


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[FakeAdapter]:
    made: list[FakeAdapter] = []
    for name, cls in (("telegram", Registering), ("twilio_sms", FakeAdapter)):
        module = adapter_module(name)

        def build(settings: Any, deps: Any, name: str = name, cls: Any = cls) -> FakeAdapter:
            deps.texts("menu.prompt", "vi")  # the catalogue is really there
            made.append(cls(name))
            return made[-1]

        module.build = build  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, f"fake_{name}", module)
        monkeypatch.setitem(registry.CHANNELS, name, f"fake_{name}:build")
    return made


def run(monkeypatch: pytest.MonkeyPatch, tmp: Path, args: list[str], **settings: Any) -> Any:
    monkeypatch.setattr(wcli, "get_settings", lambda: make_settings(tmp, **settings))
    return CliRunner().invoke(main, ["webhooks", *args])


ENABLED = {"telegram": {"enabled": True}, "twilio": {"enabled": True}}


def test_set_registers_the_public_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, built: list[FakeAdapter]
) -> None:
    result = run(monkeypatch, tmp_path, ["set", "telegram"],
                 public_url="https://bot.example.vn/", **ENABLED)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "webhook set to https://bot.example.vn/webhooks/telegram" in result.output
    [adapter] = built
    assert isinstance(adapter, Registering)
    assert adapter.urls == ["https://bot.example.vn/webhooks/telegram"] and adapter.closed


def test_info_prints_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, built: list[FakeAdapter]
) -> None:
    result = run(monkeypatch, tmp_path, ["info", "telegram"], **ENABLED)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pending_update_count"] == 0  # logs go to stderr


@pytest.mark.parametrize(
    ("args", "settings", "message"),
    [
        (["set", "telegram"], ENABLED, "BANBOT_PUBLIC_URL is not set"),
        (["set", "twilio_sms"], {"public_url": "https://b.vn"}, "BANBOT_TWILIO__ENABLED=true"),
        (["set", "twilio_sms"], {"public_url": "https://b.vn", **ENABLED},
         "set https://b.vn/webhooks/twilio_sms in the provider's console"),
        (["info", "twilio_sms"], ENABLED, "twilio_sms cannot report its webhook"),
    ],
)  # fmt: skip
def test_clear_errors(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    built: list[FakeAdapter],
    args: list[str],
    settings: dict[str, Any],
    message: str,
) -> None:
    result = run(monkeypatch, tmp_path, args, **settings)
    assert result.exit_code == 1
    assert message in result.output
    assert all(a.closed for a in built)


def test_unknown_channel_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    result = run(monkeypatch, tmp_path, ["set", "viber"])
    assert result.exit_code == 2 and "viber" in result.output
