"""The one registry of channel adapters. Each module exposes ``build(settings, deps)``.

Imports are lazy so a disabled channel costs nothing (and its SDK is never imported).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from bot.config import Settings
from bot.ports import ChannelAdapter

# name -> module; the name is the settings section, the URL segment /webhooks/<name>
CHANNELS: dict[str, str] = {
    "telegram": "integrations.telegram.adapter",
    "zalo": "integrations.zalo.adapter",
    "zalo_bot": "integrations.zalo_bot.adapter",
    "twilio_sms": "integrations.twilio_sms.adapter",
    "android_sms": "integrations.android_sms.adapter",
}
# settings section of each adapter (twilio_sms is configured under BANBOT_TWILIO__*)
SECTIONS: dict[str, str] = {"twilio_sms": "twilio"}


@dataclass(frozen=True, slots=True)
class AdapterDeps:
    """What an adapter may use besides its settings.

    ``state`` is a :class:`bot.channels.state.ChannelState` (durable key-value with
    compare-and-set, e.g. Zalo's single-use refresh token); ``texts`` looks up catalogue texts
    (``texts(key, language)``) for rendering hints such as "reply with a number".
    """

    state: Any
    texts: Callable[[str, str], str]


def section(settings: Settings, name: str) -> Any:
    """The settings section of adapter ``name``."""
    return getattr(settings, SECTIONS.get(name, name))


def build_enabled(settings: Settings, deps: AdapterDeps) -> dict[str, ChannelAdapter]:
    """Adapters whose section says ``enabled``, keyed by name."""
    adapters: dict[str, ChannelAdapter] = {}
    for name, module in CHANNELS.items():
        if section(settings, name).enabled:
            build = importlib.import_module(module).build
            adapters[name] = cast(ChannelAdapter, build(settings, deps))
    return adapters
