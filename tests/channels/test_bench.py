"""bench/webhooks.py runs against whatever adapters the registry has (here: a fake one)."""

from __future__ import annotations

import json
import secrets

import pytest
from redis.asyncio import Redis

from bench import webhooks as bench
from integrations import registry


@pytest.mark.redis
async def test_bench_runs_through_the_registry_with_redis_sessions(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "CHANNELS", {"telegram": "tests.channels.bench_fake:build"})
    tag = f"bench{secrets.token_hex(4)}"

    def request(n: int, url: str) -> tuple[bytes, dict[str, str]]:
        body = {"messages": [{"id": f"{tag}-{n}", "from": f"{tag}{n}", "text": "menu"}]}
        return json.dumps(body).encode(), {"x-fake-secret": bench.SECRET}

    target = bench.Target({"webhook_secret": bench.SECRET}, request)
    client = Redis.from_url(redis_url)
    try:
        [result] = await bench.run(20, 5, redis_url, {"telegram": target, "zalo": target})
        keys = [k async for k in client.scan_iter(match=f"banbot:*{tag}*")]
        assert keys  # sessions and dedupe marks really went to Redis
    finally:
        keys = [k async for k in client.scan_iter(match=f"banbot:*{tag}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    assert (result["adapter"], result["sessions"], result["requests"]) == ("telegram", "redis", 20)
    assert result["non_200"] == {}
    assert result["webhooks_per_s"] > 0 and result["processed_per_s"] > 0
    assert 0 < result["p50_ms"] <= result["p99_ms"]
    assert isinstance(result["cores"], int) and len(result["date"]) == 10


def test_twilio_requests_are_signed_for_the_url_they_go_to() -> None:
    """The built-in builders sign with the secret they configure: a moved URL fails."""
    body, headers = bench.TARGETS["twilio_sms"].request(1, "https://bench.banbot.local/x")
    from urllib.parse import parse_qsl

    from twilio.request_validator import RequestValidator

    form = dict(parse_qsl(body.decode(), keep_blank_values=True))
    validator = RequestValidator(bench.SECRET)
    assert validator.validate("https://bench.banbot.local/x", form, headers["x-twilio-signature"])
    assert not validator.validate(
        "https://bench.banbot.local/y", form, headers["x-twilio-signature"]
    )
