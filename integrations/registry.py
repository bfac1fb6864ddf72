"""The one registry of channel adapters, and what every adapter is built from.

Every adapter is a class built the same way, ``cls(settings, deps)``: :class:`AdapterDeps`
carries what is not a setting (channel state, catalogue texts, and for tests and benchmarks a
transport and a clock). The constructor checks the adapter's settings and raises
:class:`bot.channels.base.AdapterConfigError` naming the environment variables, so a wrong
configuration stops the bot at start-up, never at the first send.

Imports are lazy so a disabled channel costs nothing (and its SDK is never imported).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from bot.config import Settings
from bot.ports import ChannelAdapter, ChannelState

# name -> "module:attribute" of the adapter class; the name is the registry key, the URL
# segment /webhooks/<name> and (see SECTIONS) the settings section.
CHANNELS: dict[str, str] = {
    "telegram": "integrations.telegram.adapter:TelegramAdapter",
    "zalo": "integrations.zalo.adapter:ZaloOaAdapter",
    "zalo_bot": "integrations.zalo_bot.adapter:ZaloBotAdapter",
    "twilio_sms": "integrations.twilio_sms.adapter:TwilioSmsAdapter",
    "android_sms": "integrations.android_sms.adapter:AndroidSmsAdapter",
}
# settings section of each adapter (twilio_sms is configured under BANBOT_TWILIO__*)
SECTIONS: dict[str, str] = {"twilio_sms": "twilio"}


@dataclass(frozen=True, slots=True)
class AdapterDeps:
    """What an adapter may use besides its settings.

    - ``state``: durable key-value with compare-and-set (Zalo OA's single-use refresh token
      and reply window; the other adapters keep none);
    - ``texts``: catalogue lookup ``texts(key, language)`` for rendering hints such as
      "reply with a number" (``KeyError`` for an unknown key);
    - ``transport``: replaces the provider HTTP layer (tests, benchmarks); None = the real
      network. Telegram: an aiogram ``BaseSession``; Zalo OA, Zalo Bot and Android: an
      ``httpx.AsyncBaseTransport``; Twilio: an async twilio ``HttpClient``;
    - ``clock``: seconds since the epoch (Zalo OA's window and token expiry, Android's
      webhook timestamps);
    - ``poll_seconds``: how often a Zalo OA process waiting for another one's token refresh
      looks again.
    """

    state: ChannelState
    texts: Callable[[str, str], str]
    transport: object | None = None
    clock: Callable[[], float] = time.time
    poll_seconds: float = 0.2


Factory = Callable[[Settings, AdapterDeps], ChannelAdapter]


def section_name(name: str) -> str:
    """The settings section (and ``BANBOT_<SECTION>__`` prefix) of adapter ``name``."""
    return SECTIONS.get(name, name)


def section(settings: Settings, name: str) -> Any:
    """The settings section of adapter ``name``."""
    return getattr(settings, section_name(name))


def env_var(name: str, field: str) -> str:
    """The environment variable of one setting of adapter ``name``: ``BANBOT_ZALO__APP_ID``."""
    return f"BANBOT_{section_name(name).upper()}__{field.upper()}"


def module_of(name: str) -> str:
    """The module that holds adapter ``name`` (it may be absent from a slim install)."""
    return CHANNELS[name].partition(":")[0]


def factory(name: str) -> Factory:
    """The class (or factory) registered for ``name``, imported now."""
    module, _, attribute = CHANNELS[name].partition(":")
    return cast(Factory, getattr(importlib.import_module(module), attribute))


def build(name: str, settings: Settings, deps: AdapterDeps) -> ChannelAdapter:
    """Adapter ``name`` built from ``settings``; ``AdapterConfigError`` when they are wrong."""
    return factory(name)(settings, deps)


def build_enabled(settings: Settings, deps: AdapterDeps) -> dict[str, ChannelAdapter]:
    """Adapters whose section says ``enabled``, keyed by name."""
    return {
        name: build(name, settings, deps) for name in CHANNELS if section(settings, name).enabled
    }
