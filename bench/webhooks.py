"""Webhook benchmark: signed provider requests per second through each adapter.

For every adapter in ``integrations.registry`` that exists and has a request builder below
(Telegram, Zalo OA, Zalo Bot, Twilio, Android gateway), the whole bot is built in-process with
Redis sessions, the adapter's provider send is replaced by a fake that answers at once (no
network), and ``--requests`` signed webhooks (distinct senders and message ids) are posted
through the ASGI app with ``--concurrency`` in flight. Prints one JSON object per adapter:
webhook answers per second and p50/p99 (ms), the time until the pipeline processed all of
them, non-200 answers, cores, date.

    .venv/bin/python bench/webhooks.py [--requests 300] [--concurrency 20] [--redis-url ...]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import importlib.util
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bot.app import App, build_app
from bot.channels.base import SendResult
from bot.channels.compose import Channels
from bot.config import Settings
from bot.domain.messages import Outbound
from bot.outbound.limiter import Rate
from bot.outbound.limits import ChannelLimits, Rule
from bot.web.app import create_app
from integrations import registry

BASE = "https://bench.banbot.local"
SECRET = "bench-secret-0123456789"  # noqa: S105 - a benchmark value, not a credential
TEXT = "nha em bi ngap"
# No per-sender pacing (bot/flood.py): benchmarks and tests run conversations faster than any
# person types; the limits themselves are tested in tests/web/test_flood.py.
UNPACED: dict[str, float] = {
    "sender_per_minute": 1e6,
    "sender_burst": 1_000_000,
    "ip_per_minute": 1e6,
    "reports_per_hour": 1_000_000,
}


@dataclass(frozen=True)
class Target:
    """How to build the ``n``-th signed request of one provider: (body, headers)."""

    settings: Mapping[str, Any]  # the settings section that enables and configures it
    # (n, url[, text, user]) -> body, headers; ``user`` keeps one sender over several messages
    request: Callable[..., tuple[bytes, dict[str, str]]]


def _telegram(
    n: int, url: str, text: str = TEXT, user: int | None = None
) -> tuple[bytes, dict[str, str]]:
    u = n if user is None else user
    sender = {"id": 700000 + u, "is_bot": False, "first_name": "Bench"}
    body = {
        "update_id": 900000 + n,
        "message": {
            "message_id": n,
            "date": 1767225600,
            "chat": {**sender, "type": "private"},
            "from": sender,
            "text": text,
        },
    }
    return json.dumps(body).encode(), {
        "x-telegram-bot-api-secret-token": SECRET,
        "content-type": "application/json",
    }


def _zalo(
    n: int, url: str, text: str = TEXT, user: int | None = None
) -> tuple[bytes, dict[str, str]]:
    u = n if user is None else user
    ts = str(int(time.time() * 1000) + n)  # the reply window opens at the event time
    body = json.dumps(
        {
            "app_id": "1234567890123456789",
            "user_id_by_app": f"55{u}",
            "event_name": "user_send_text",
            "timestamp": ts,
            "sender": {"id": f"24{u:08d}"},
            "recipient": {"id": "579745863508352884"},
            "message": {"msg_id": f"m{n}", "text": text},
        },
        separators=(",", ":"),
    )
    mac = hashlib.sha256(f"1234567890123456789{body}{ts}{SECRET}".encode()).hexdigest()
    return body.encode(), {"x-zevent-signature": mac, "content-type": "application/json"}


def _zalo_bot(
    n: int, url: str, text: str = TEXT, user: int | None = None
) -> tuple[bytes, dict[str, str]]:
    u = n if user is None else user
    body = {
        "event_name": "message.text.received",
        "message": {
            "message_id": f"zb{n}",
            "from": {"id": f"u{u}", "name": "Bench"},
            "chat": {"id": f"u{u}", "chat_type": "PRIVATE"},
            "date": 1767225600000,
            "text": text,
        },
    }
    return json.dumps(body).encode(), {
        "x-bot-api-secret-token": SECRET,
        "content-type": "application/json",
    }


def _twilio(
    n: int, url: str, text: str = TEXT, user: int | None = None
) -> tuple[bytes, dict[str, str]]:
    u = n if user is None else user
    from twilio.request_validator import RequestValidator

    form = {
        "MessageSid": f"SM{n:032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": f"+1415555{u:04d}",
        "To": "+14155550100",
        "Body": text,
        "NumMedia": "0",
    }
    signature = RequestValidator(SECRET).compute_signature(url, form)
    return urlencode(form).encode(), {
        "x-twilio-signature": signature,
        "content-type": "application/x-www-form-urlencoded",
    }


def _android(
    n: int, url: str, text: str = TEXT, user: int | None = None
) -> tuple[bytes, dict[str, str]]:
    u = n if user is None else user
    body = json.dumps(
        {
            "deviceId": "bench",
            "event": "sms:received",
            "id": f"ev{n}",
            "payload": {
                "messageId": f"g{n}",
                "message": text,
                "phoneNumber": f"+8491{u:07d}",
                "simNumber": 1,
                "receivedAt": "2026-06-22T15:46:11.000+07:00",
            },
            "webhookId": "w",
        },
        separators=(",", ":"),
    ).encode()
    ts = str(int(time.time()))  # the adapter refuses stamps older than 5 minutes
    mac = hmac.new(SECRET.encode(), body + ts.encode(), hashlib.sha256).hexdigest()
    return body, {"x-signature": mac, "x-timestamp": ts, "content-type": "application/json"}


TARGETS: dict[str, Target] = {
    "telegram": Target({"token": "123:bench", "webhook_secret": SECRET}, _telegram),
    "zalo": Target(
        {
            "app_id": "1234567890123456789",
            "app_secret": "bench-app-secret",
            "oa_secret_key": SECRET,
            "access_token": "bench",
            "refresh_token": "bench",
        },
        _zalo,
    ),
    "zalo_bot": Target({"token": "456:bench", "webhook_secret": SECRET}, _zalo_bot),
    "twilio_sms": Target(
        {"account_sid": "AC" + "0" * 32, "auth_token": SECRET, "from_number": "+14155550100"},
        _twilio,
    ),
    "android_sms": Target(
        {"username": "sms", "password": "bench-pass", "signing_key": SECRET}, _android
    ),
}


def available(targets: Mapping[str, Target]) -> list[str]:
    """Registry adapters whose module exists and that have a request builder."""
    return [n for n in registry.CHANNELS if n in targets and _exists(registry.module_of(n))]


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is missing too
        return False


def _channels(app: App) -> Channels:
    if app.channels is None:
        raise RuntimeError("the bot was built without channels")
    return app.channels


async def _fake_send(message: Outbound) -> SendResult:
    return SendResult(external_id="bench", segments=1)


def unlimited(app: App) -> None:
    """Replace provider sends by a fake and lift send limits: the webhook path is measured."""
    channels = _channels(app)
    adapters = channels.adapters
    for adapter in adapters.values():
        adapter.send = _fake_send  # type: ignore[method-assign]
    free = ChannelLimits((Rule("channel", Rate(1e9, 1e9)),))
    channels.sender.limits.update(dict.fromkeys(adapters, free))


async def bench_one(
    name: str, target: Target, app: App, n: int, concurrency: int
) -> dict[str, Any]:
    api = create_app(app.settings, app_obj=app)
    url = f"{BASE}/webhooks/{name}"
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    semaphore = asyncio.Semaphore(concurrency)
    transport = httpx.ASGITransport(app=api)

    async def one(client: httpx.AsyncClient, i: int) -> None:
        body, headers = target.request(i, url)
        async with semaphore:
            started = time.perf_counter()
            r = await client.post(url, content=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    async with (
        api.router.lifespan_context(api),
        httpx.AsyncClient(transport=transport, base_url=BASE) as c,
    ):
        started = time.perf_counter()
        await asyncio.gather(*(one(c, i) for i in range(n)))
        answered = time.perf_counter() - started
        await _channels(app).runtime.drain()
        processed = time.perf_counter() - started
    lat = sorted(latencies)
    return {
        "benchmark": "webhooks",
        "adapter": name,
        "sessions": app.state.backend,
        "requests": n,
        "concurrency": concurrency,
        "webhooks_per_s": round(n / answered, 1),
        "p50_ms": round(statistics.median(lat), 2),
        "p99_ms": round(lat[max(0, int(len(lat) * 0.99) - 1)], 2),
        "processed_per_s": round(n / processed, 1),
        "non_200": {str(k): v for k, v in statuses.items() if k != 200},
        "cores": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }


def bench_settings(tmp: Path, name: str, target: Target, redis_url: str | None) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": f"sqlite+aiosqlite:///{tmp / 'bench.db'}",
        "redis_url": redis_url,
        "public_url": BASE,
        "session_ttl_seconds": 600,
        "dedupe_ttl_seconds": 600,
        "limits": UNPACED,  # the webhook path is measured, not one sender's pacing
        {"twilio_sms": "twilio"}.get(name, name): {"enabled": True, **target.settings},
    }
    return Settings(**values)


async def run(
    n: int, concurrency: int, redis_url: str | None, targets: Mapping[str, Target] = TARGETS
) -> list[dict[str, Any]]:
    results = []
    for name in available(targets):
        with tempfile.TemporaryDirectory() as tmp:
            app = await build_app(bench_settings(Path(tmp), name, targets[name], redis_url))
            try:
                unlimited(app)
                results.append(await bench_one(name, targets[name], app, n, concurrency))
            finally:
                await app.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--redis-url", default=os.environ.get("BANBOT_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    args = parser.parse_args()
    results = asyncio.run(run(args.requests, args.concurrency, args.redis_url or None))
    for result in results:
        print(json.dumps(result))
    if not results:
        print(json.dumps({"benchmark": "webhooks", "adapters": [], "note": "no adapter present"}))


if __name__ == "__main__":
    main()
