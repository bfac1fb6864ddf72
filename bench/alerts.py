"""Time from a resident's signed webhook that files a flagged report to the officer's alert
handed to the provider.

Embedded defaults (SQLite, in-process state and queue) with the real Telegram adapter talking
to a fake Bot API on localhost (``tests/support/fake_providers.py``): the resident writes
"nhà em ở bản Nam Niệu bị ngập", then "có" (someone in danger now: the report is filed and the
alert asked for in that turn); the clock runs from posting that second webhook until the fake
Bot API receives the alert for the commune officer's chat. Reports are spaced so that the
officer's chat limit (1 message a second, Telegram's rule) does not bind: this measures the
pipeline, the commit, the queue and the send, not the pacing.

Prints one JSON object. The queue page with 100,000 reports is measured by
``bench/queue_page.py``.

Run: ``.venv/bin/python bench/alerts.py [--reports 30] [--every 1.1]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhooks import BASE, SECRET, UNPACED, _telegram  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.web.app import create_app  # noqa: E402
from tests.support.fake_providers import FakeTelegram  # noqa: E402

OFFICER_CHAT = 9001


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(reports: int, every: float) -> dict[str, Any]:
    fake = FakeTelegram().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(  # type: ignore[call-arg]
                env="test",
                database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'alerts.db'}",
                redis_url=None,
                limits=UNPACED,
                public_url=BASE,
                telegram={
                    "enabled": True,
                    "token": "123:alerts",
                    "webhook_secret": SECRET,
                    "api_base": fake.url,
                },
            )
            app = await build_app(settings)
            async with app.store.transaction() as tx:
                officer = await tx.contacts.get_or_create(
                    f"telegram:{OFFICER_CHAT}", "telegram", "vi"
                )
                await tx.contacts.update(officer.id, role="officer", role_commune="03664")
            api = create_app(settings, app_obj=app)
            transport = httpx.ASGITransport(app=api)
            latencies: list[float] = []
            async with (
                api.router.lifespan_context(api),
                httpx.AsyncClient(transport=transport, base_url=BASE) as client,
            ):
                url = f"{BASE}/webhooks/telegram"
                for n in range(reports):
                    user = 1000 + n
                    for step, text in enumerate(("nhà em ở bản Nam Niệu bị ngập", "có")):
                        body, headers = _telegram(2 * n + step + 1, url, text, user)
                        seen = len(_officer_calls(fake))
                        started = time.monotonic()
                        r = await client.post(url, content=body, headers=headers)
                        if r.status_code != 200:
                            raise RuntimeError(f"webhook answered {r.status_code}: {r.text}")
                        if step == 0:
                            if app.channels is not None:
                                await app.channels.drain()
                            continue
                        latencies.append(await _until_alert(fake, seen, started) * 1000)
                    await asyncio.sleep(every)
            await app.aclose()
    finally:
        fake.stop()
    return {
        "benchmark": "alerts",
        "date": datetime.now(UTC).date().isoformat(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "store": "sqlite",
        "queue": "local",
        "reports": reports,
        "spacing_s": every,
        "alert_ms": {
            "p50": round(statistics.median(latencies), 1),
            "p99": round(percentile(latencies, 0.99), 1),
            "max": round(max(latencies), 1),
            "mean": round(statistics.fmean(latencies), 1),
        },
        "target_p99_ms": 1000,
    }


def _officer_calls(fake: FakeTelegram) -> list[float]:
    return [c.at for c in list(fake.calls) if c.chat_id == str(OFFICER_CHAT)]


async def _until_alert(fake: FakeTelegram, seen: int, started: float, limit: float = 30) -> float:
    while time.monotonic() - started < limit:
        calls = _officer_calls(fake)
        if len(calls) > seen:
            return calls[seen] - started
        await asyncio.sleep(0.002)
    raise TimeoutError("no alert reached the officer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument("--every", type=float, default=1.1, help="seconds between reports")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.reports, args.every)), ensure_ascii=False))


if __name__ == "__main__":
    main()
