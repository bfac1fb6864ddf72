"""Per-channel send limits, applied to replies and bulk notices alike.

Sources (shared/reference/channels.md, sms_gateway.md): Telegram ≈ 1 msg/s per chat (short
bursts tolerated) and ≈ 30 msg/s per bot; Zalo publishes no rate, so it is configurable;
Twilio counts *segments* per second per sender (1 MPS on a US long code, 10 for alphanumeric /
non-US); Android allows an app 30 SMS per 30 minutes unless raised over ADB, and carriers
flag SIMs that send faster. A settings section may carry ``send_per_second`` / ``send_burst``
to override the channel-wide rule (read with ``getattr``, so sections without them keep these).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from bot.config import Settings
from bot.outbound.limiter import Rate

Scope = Literal["chat", "channel"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One budget: per recipient (``chat``) or for the whole adapter (``channel``)."""

    scope: Scope
    rate: Rate


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """The rules of one adapter; ``count_segments``: an SMS costs one unit per segment."""

    rules: tuple[Rule, ...]
    count_segments: bool = False

    def keys(self, channel: str, address: str) -> list[tuple[str, Rate]]:
        """Limiter keys and rates for one message, narrowest first."""
        return [
            (f"{channel}:chat:{address}" if r.scope == "chat" else f"{channel}:all", r.rate)
            for r in sorted(self.rules, key=lambda r: r.scope != "chat")
        ]


_CHAT = Rule("chat", Rate(per_second=1.0, burst=3))
DEFAULT_LIMITS: Mapping[str, ChannelLimits] = {
    "telegram": ChannelLimits((_CHAT, Rule("channel", Rate(30.0, burst=30)))),
    "zalo": ChannelLimits((_CHAT, Rule("channel", Rate(10.0, burst=10)))),
    "zalo_bot": ChannelLimits((_CHAT, Rule("channel", Rate(10.0, burst=10)))),
    # burst 2: one unit a reply can always find while bulk keeps the other (limiter docstring)
    "twilio_sms": ChannelLimits((Rule("channel", Rate(1.0, burst=2)),), count_segments=True),
    "android_sms": ChannelLimits((Rule("channel", Rate(1 / 60, burst=10)),), count_segments=True),
}
FALLBACK = ChannelLimits((Rule("channel", Rate(5.0, burst=5)),))
SIMULATOR = ChannelLimits((Rule("channel", Rate(1000.0, burst=1000)),))  # nothing to protect


def limits_for(name: str, settings: Settings | None = None) -> ChannelLimits:
    """The limits of adapter ``name``, with the channel-wide rate from its settings section."""
    if name == "sim":
        return SIMULATOR
    limits = DEFAULT_LIMITS.get(name, FALLBACK)
    section = getattr(settings, {"twilio_sms": "twilio"}.get(name, name), None)
    per_second = getattr(section, "send_per_second", None)
    if per_second is None:
        return limits
    burst = getattr(section, "send_burst", None) or max(2.0, float(per_second))
    channel_rule = Rule("channel", Rate(float(per_second), float(burst)))
    rules = (*(r for r in limits.rules if r.scope != "channel"), channel_rule)
    return replace(limits, rules=rules)
