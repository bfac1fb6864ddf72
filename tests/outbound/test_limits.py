"""Per-channel limits: the published figures, settings overrides, key order."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from bot.config import Settings
from bot.outbound.limiter import Rate
from bot.outbound.limits import FALLBACK, limits_for
from bot.outbound.retry import RetryPolicy


def test_telegram_per_chat_first_then_the_bot() -> None:
    keys = limits_for("telegram").keys("telegram", "telegram:42")
    assert keys == [
        ("telegram:chat:telegram:42", Rate(1.0, 3)),
        ("telegram:all", Rate(30.0, 30)),
    ]


def test_sms_counts_segments_and_has_no_chat_rule() -> None:
    for name in ("twilio_sms", "android_sms"):
        limits = limits_for(name)
        assert limits.count_segments
        assert [k for k, _ in limits.keys(name, "tel:+84912345678")] == [f"{name}:all"]
    # Android's own default: 30 SMS per 30 minutes for one app
    assert limits_for("android_sms").rules[0].rate.per_second * 1800 == 30


def test_settings_section_overrides_the_channel_rate() -> None:
    settings = cast(Settings, SimpleNamespace(zalo=SimpleNamespace(send_per_second=20)))
    keys = limits_for("zalo", settings).keys("zalo", "zalo:1")
    assert keys == [("zalo:chat:zalo:1", Rate(1.0, 3)), ("zalo:all", Rate(20.0, 20))]
    twilio: Any = SimpleNamespace(twilio=SimpleNamespace(send_per_second=10, send_burst=2))
    assert limits_for("twilio_sms", twilio).rules == (
        limits_for("twilio_sms").rules[0].__class__("channel", Rate(10.0, 2)),
    )
    assert limits_for("telegram", Settings(env="test")) == limits_for("telegram")


def test_every_adapter_takes_its_rate_from_the_environment(monkeypatch: Any) -> None:
    """BANBOT_<SECTION>__SEND_PER_SECOND reaches every adapter's channel rule (Telegram,
    Twilio and Android once ignored it silently: the settings had no such field)."""
    sections = {"telegram": "TELEGRAM", "zalo": "ZALO", "zalo_bot": "ZALO_BOT",
                "twilio_sms": "TWILIO", "android_sms": "ANDROID_SMS"}  # fmt: skip
    for section in sections.values():
        monkeypatch.setenv(f"BANBOT_{section}__SEND_PER_SECOND", "7.5")
        monkeypatch.setenv(f"BANBOT_{section}__SEND_BURST", "4")
    settings = Settings(_env_file=None, env="test")  # type: ignore[call-arg]
    for name in sections:
        channel = [r for r in limits_for(name, settings).rules if r.scope == "channel"]
        assert [r.rate for r in channel] == [Rate(7.5, 4)], name


def test_unknown_adapter_gets_the_fallback() -> None:
    assert limits_for("carrier_pigeon") == FALLBACK


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    assert [policy.delay(n, 0.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert [policy.delay(n, 0.999) for n in (1, 5)] == [0.9995, 7.996]
