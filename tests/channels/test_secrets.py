"""Secrets never reach logs (courier's habit): every channel enabled with distinctive fake
secrets, the app run through startup, webhooks, a failing send and shutdown at DEBUG."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.base import SendError
from bot.config import Settings
from bot.logsafe import protect, redact, settings_secrets
from bot.web.app import create_app
from integrations import registry
from tests.channels.fakes import FakeAdapter, adapter_module
from tests.conftest import make_settings

SECRETS: dict[str, dict[str, str]] = {
    "telegram": {"token": "123456:TG-tok3n-Qx81", "webhook_secret": "tg-hook-secret-77Ab"},
    "zalo": {
        "app_secret": "zalo-app-secret-5Jk2", "oa_secret_key": "zalo-oa-key-9Lm4",
        "access_token": "zalo-access-tok-3Pq7", "refresh_token": "zalo-refresh-tok-8Rs1",
    },
    "zalo_bot": {"token": "987:zalobot-tok-6Tu3", "webhook_secret": "zb-hook-secret-2Vw9"},
    "twilio": {"auth_token": "twilio-auth-tok-4Xy6"},
    "android_sms": {"password": "gateway-pass-1Za5", "signing_key": "gw-signing-key-0Bc8"},
}  # fmt: skip
ALL = [v for section in SECRETS.values() for v in section.values()]
log = logging.getLogger("tests.careless_adapter")


def all_enabled(tmp: Path, names: list[str] | None = None) -> Settings:
    sections: dict[str, Any] = {}
    for section, values in SECRETS.items():
        name = {"twilio": "twilio_sms"}.get(section, section)
        sections[section] = {"enabled": names is None or name in names, **values}
    # identifiers the real adapters need, which are not secrets
    sections["twilio"] |= {"account_sid": "AC" + "0" * 32, "from_number": "+12025550100"}
    sections["zalo"] |= {"app_id": "1234567890"}
    sections["android_sms"] |= {"username": "sms"}
    return make_settings(tmp, public_url="https://bot.example.vn", **sections)


def assert_clean(text: str) -> None:
    leaked = [s for s in ALL if s in text]
    assert not leaked, f"secrets in logs: {leaked}"


def test_settings_never_print_secrets(tmp_path: Path) -> None:
    settings = all_enabled(tmp_path)
    for shown in (repr(settings), str(settings), settings.model_dump_json(), str(settings.zalo)):
        assert_clean(shown)
    assert sorted(settings_secrets(settings)) == sorted(ALL)


def test_url_passwords_count_as_secrets(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, redis_url="redis://:redis-pass-Zz91@127.0.0.1:6379/0",
        database_url="postgresql+asyncpg://bot:pg-pass-Yy28@db/banbot",
    )  # fmt: skip
    assert set(settings_secrets(settings)) == {"redis-pass-Zz91", "pg-pass-Yy28"}
    protect(["pg-pass-Yy28", "short"])
    assert redact("connect to bot:pg-pass-Yy28@db short") == "connect to bot:***@db short"


class CarelessAdapter(FakeAdapter):
    """Does everything a sloppy adapter could: logs its token, raises it in exceptions."""

    def __init__(self, name: str, settings: Settings) -> None:
        section = getattr(settings, registry.SECTIONS.get(name, name))
        self.token = next(
            v.get_secret_value() for _, v in section if hasattr(v, "get_secret_value")
        )
        super().__init__(name, secret=self.token)
        leak = f"GET https://api.example/bot{self.token}/sendMessage: connection reset"
        self.script.extend([RuntimeError(leak), SendError("permanent", f"rejected {self.token}")])

    async def verify(self, request: Any) -> None:
        log.debug("verifying with %s", self.token)
        await super().verify(request)


async def test_no_secret_in_logs_through_a_whole_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = all_enabled(tmp_path)
    adapters: dict[str, CarelessAdapter] = {}
    for name in registry.CHANNELS:
        module = adapter_module(name)

        def build(s: Settings, deps: Any, name: str = name) -> CarelessAdapter:
            adapters[name] = CarelessAdapter(name, s)
            return adapters[name]

        module.build = build  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, f"fake_{name}", module)
        monkeypatch.setitem(registry.CHANNELS, name, f"fake_{name}:build")
    api = create_app(settings)
    caplog.set_level(logging.DEBUG)
    async with api.router.lifespan_context(api):
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="https://bot.test") as c:
            for name, adapter in adapters.items():
                body = '{"messages": [{"id": "1", "from": "9", "text": "menu"}]}'
                ok = await c.post(f"/webhooks/{name}", content=body,
                                  headers={"x-fake-secret": adapter.token})  # fmt: skip
                bad = await c.post(f"/webhooks/{name}", content=body,
                                   headers={"x-fake-secret": "wrong"})  # fmt: skip
                assert (ok.status_code, bad.status_code) == (200, 403)
        # per channel, the notice fails (an unexpected error, a retry, then a permanent
        # error) and the menu after it is sent
        async with asyncio.timeout(20):
            while any(len(a.calls) < 3 for a in adapters.values()):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    assert set(adapters) == set(registry.CHANNELS)
    assert all(a.closed for a in adapters.values())
    assert [len(a.calls) for a in adapters.values()] == [3] * len(adapters)
    assert [len(a.sent) for a in adapters.values()] == [1] * len(adapters)
    assert "***" in caplog.text  # the leaks were attempted and scrubbed
    assert "ended: permanent" in caplog.text
    assert_clean(caplog.text)


async def test_real_adapters_present_keep_their_secrets(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Whichever real adapters exist: start, reject unsigned and wrongly signed webhooks,
    stop — with no secret in the logs."""
    present = [n for n in registry.CHANNELS if importlib.util.find_spec(registry.module_of(n))]
    api = create_app(all_enabled(tmp_path, present))
    caplog.set_level(logging.DEBUG)
    async with api.router.lifespan_context(api):
        assert sorted(api.state.bot.channels.webhook_adapters) == sorted(present)
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="https://bot.test") as c:
            for name in present:
                r = await c.post(f"/webhooks/{name}", content=b"{}")
                assert r.status_code in (400, 401, 403), name
    assert_clean(caplog.text)
