"""Every adapter has one shape: ``cls(settings, deps)`` from the registry, its settings checked
at build with an ``AdapterConfigError`` naming the environment variable."""

from __future__ import annotations

import importlib
from typing import Any

import httpx
import pytest

from bot.channels.base import AdapterConfigError
from bot.config import Settings
from integrations import registry
from integrations.telegram.fake import FakeSession
from tests.integrations.harness import deps

# Per adapter: the smallest settings that build, and the variables each required one is read from.
VALID: dict[str, dict[str, Any]] = {
    "telegram": {"token": "42:TEST-token", "webhook_secret": "hook_secret-1"},
    "zalo": {
        "app_id": "1234567890123456789",
        "app_secret": "app-secret",
        "oa_secret_key": "oa-key",
        "refresh_token": "refresh-1",
    },
    "zalo_bot": {"token": "1234567890:AbCd", "webhook_secret": "webhook-secret-123"},
    "twilio_sms": {
        "account_sid": "AC" + "0" * 32,
        "auth_token": "auth-token",
        "from_number": "+14155550100",
    },
    "android_sms": {"username": "sms", "password": "gateway-pass", "signing_key": "signing-key"},
}
REQUIRED = [
    ("telegram", "token", "BANBOT_TELEGRAM__TOKEN"),
    ("telegram", "webhook_secret", "BANBOT_TELEGRAM__WEBHOOK_SECRET"),
    ("zalo", "app_id", "BANBOT_ZALO__APP_ID"),
    ("zalo", "app_secret", "BANBOT_ZALO__APP_SECRET"),
    ("zalo", "oa_secret_key", "BANBOT_ZALO__OA_SECRET_KEY"),
    ("zalo", "refresh_token", "BANBOT_ZALO__REFRESH_TOKEN"),  # with no access token either
    ("zalo_bot", "token", "BANBOT_ZALO_BOT__TOKEN"),
    ("zalo_bot", "webhook_secret", "BANBOT_ZALO_BOT__WEBHOOK_SECRET"),
    ("twilio_sms", "account_sid", "BANBOT_TWILIO__ACCOUNT_SID"),
    ("twilio_sms", "auth_token", "BANBOT_TWILIO__AUTH_TOKEN"),
    ("twilio_sms", "from_number", "BANBOT_TWILIO__FROM_NUMBER"),  # with no service either
    ("android_sms", "username", "BANBOT_ANDROID_SMS__USERNAME"),
    ("android_sms", "password", "BANBOT_ANDROID_SMS__PASSWORD"),
    ("android_sms", "signing_key", "BANBOT_ANDROID_SMS__SIGNING_KEY"),
]


def enabled(name: str, **changes: Any) -> Settings:
    section = {"enabled": True, **VALID[name], **changes}
    return Settings(env="test", **{registry.section_name(name): section})


@pytest.mark.parametrize("name", sorted(registry.CHANNELS))
async def test_the_registry_builds_each_adapter_the_same_way(name: str) -> None:
    cls = registry.factory(name)
    assert isinstance(cls, type) and cls.__name__.endswith("Adapter")
    adapter = registry.build(name, enabled(name), deps())
    try:
        assert type(adapter) is cls and adapter.name == name
        assert adapter.rendering in ("telegram", "zalo", "sms")
        assert adapter.schemes and isinstance(adapter.idempotent_sends, bool)
    finally:
        await adapter.aclose()


@pytest.mark.parametrize("name", sorted(registry.CHANNELS))
def test_one_way_to_build_no_module_level_factory(name: str) -> None:
    assert not hasattr(importlib.import_module(registry.module_of(name)), "build")


async def test_build_enabled_builds_only_enabled_sections() -> None:
    sections = {registry.section_name(n): {"enabled": True, **VALID[n]} for n in VALID}
    sections["telegram"]["enabled"] = False
    adapters = registry.build_enabled(Settings(env="test", **sections), deps())
    try:
        assert sorted(adapters) == sorted(set(registry.CHANNELS) - {"telegram"})
    finally:
        for adapter in adapters.values():
            await adapter.aclose()


@pytest.mark.parametrize(
    ("name", "field", "variable"), REQUIRED, ids=[f"{n}-{f}" for n, f, _ in REQUIRED]
)
@pytest.mark.parametrize("value", [None, "  "], ids=["unset", "blank"])
def test_a_missing_setting_stops_the_build_naming_its_variable(
    name: str, field: str, variable: str, value: str | None
) -> None:
    with pytest.raises(AdapterConfigError) as caught:
        registry.build(name, enabled(name, **{field: value}), deps())
    message = str(caught.value)
    assert message.startswith(f"{name} is enabled but ") and variable in message
    for value in VALID[name].values():  # the settings that are there are never echoed
        assert len(value) < 8 or value not in message


def test_every_missing_variable_is_named_at_once() -> None:
    settings = Settings(env="test", android_sms={"enabled": True, "username": "sms"})  # type: ignore[arg-type]
    with pytest.raises(AdapterConfigError) as caught:
        registry.build("android_sms", settings, deps())
    assert str(caught.value) == (
        "android_sms is enabled but BANBOT_ANDROID_SMS__PASSWORD, "
        "BANBOT_ANDROID_SMS__SIGNING_KEY are not set"
    )


@pytest.mark.parametrize(
    ("name", "transport"),
    [
        ("telegram", httpx.MockTransport(lambda r: httpx.Response(200))),
        ("zalo", FakeSession()),
        ("zalo_bot", object()),
        ("twilio_sms", httpx.MockTransport(lambda r: httpx.Response(200))),
        ("android_sms", FakeSession()),
    ],
)
def test_a_transport_of_the_wrong_kind_is_refused(name: str, transport: object) -> None:
    with pytest.raises(TypeError, match=name):
        registry.build(name, enabled(name), deps(transport=transport))


def test_disabled_sections_are_not_checked() -> None:
    assert registry.build_enabled(Settings(env="test", zalo_bot={"enabled": False}), deps()) == {}  # type: ignore[arg-type]
