"""Broadcast benchmark: one notice to 100,000 people across Zalo, Telegram and SMS.

The production shape on this machine: PostgreSQL (a fresh database ``--database``, dropped
before and after), the saq queue on Redis, ``--workers`` ``banbot worker`` processes, and fake
provider servers on localhost (``tests/support/fake_providers.py``) in this process, each
enforcing the limit the bot is configured with over any sliding second (``--headroom`` times
the rate, plus twice the burst the bot is allowed, a tenth of the rate) and answering after
``--latency-ms``. The people: ``--recipients`` residents of phường Chiềng An's villages, all
subscribed to village notices; 40 % on Telegram, 40 % on Zalo OA (paid quota configured, so
reachable outside the reply window), 20 % on SMS through the Android gateway.

Steps, each timed: the admin's notice is created (the API's path: scope, audit, the plan
job); the plan job runs here, in this process, so that planning is timed on its own (the
audience in one query, each person's way, one row each); then the workers start and send.

Printed (one JSON object):

- ``planning_s``: the plan job (100,000 rows written);
- per adapter: messages accepted, the configured limit, the achieved rate (steady state: the
  units after the first burst over the time from the burst to the last one; an SMS gateway's
  limit counts segments) and its ratio to the limit (target >= 0.95), the provider's throttle
  answers;
- ``lost``: planned messages whose row is gone (must be 0); ``timed_out`` and
  ``open_at_end``: the run hit ``--timeout`` with that many rows still queued or sending
  (late, not lost: a finished run has none); ``duplicates``:
  people a provider got the notice from twice (must be 0 without a crash; with ``--kill`` the
  in-flight messages at the kill may go twice, and the summary row says how many);
- ``sms``: segments of the notice in Vietnamese with diacritics (UCS-2) and unaccented
  (GSM-7), and what each costs for the SMS share of the audience;
- ``--kill``: SIGKILL one worker once a third is sent, start a new one; the crash's cost.

    .venv/bin/python bench/broadcast.py [--recipients 100000] [--workers 2]
        [--rates telegram=100,zalo=100,android_sms=50] [--latency-ms 20] [--kill]
        [--postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
        [--redis-url redis://127.0.0.1:6379/14]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.queue_page import drop, dsn, recreate  # noqa: E402 - after the path is set
from bot.app import build_app, prepare_database  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.notices.scope import NoticeSender  # noqa: E402
from bot.notices.service import Draft  # noqa: E402
from bot.render.sms import segment_info, unaccent  # noqa: E402
from bot.store.work import Work  # noqa: E402
from tests.support.fake_providers import (  # noqa: E402
    FakeAndroidGateway,
    FakeProvider,
    FakeTelegram,
    FakeZaloOa,
)

COMMUNE = "03664"
TEXT = (
    "Ngân hàng Chính sách xã hội thông báo: từ ngày 5/12, hộ nghèo, hộ cận nghèo ở phường "
    "Chiềng An đăng ký vay vốn tại điểm giao dịch xã, mang theo căn cước."
)
# One INSERT ... SELECT per table: who is where and on which channel, from the row number.
CONTACTS = """
INSERT INTO contacts (id, language, role, stopped, village_id, notice_seen_at, created_at,
                      updated_at)
SELECT g, 'vi', 'resident', false, ($2::text[])[1 + g % array_length($2::text[], 1)], now(),
       now(), now()
FROM generate_series(1, $1::int) g
"""
URNS = """
INSERT INTO contact_urns (urn, scheme, contact_id, adapter, rendering, last_seen_at, created_at)
SELECT CASE WHEN g % 10 < 4 THEN 'telegram:' || (100000000 + g)
            WHEN g % 10 < 8 THEN 'zalo:' || (4000000000000000000 + g)
            ELSE 'tel:+849' || lpad(g::text, 8, '0') END,
       CASE WHEN g % 10 < 4 THEN 'telegram' WHEN g % 10 < 8 THEN 'zalo' ELSE 'tel' END,
       g,
       CASE WHEN g % 10 < 4 THEN 'telegram' WHEN g % 10 < 8 THEN 'zalo' ELSE 'android_sms' END,
       CASE WHEN g % 10 < 4 THEN 'telegram' WHEN g % 10 < 8 THEN 'zalo' ELSE 'sms' END,
       now() - interval '30 days', now()
FROM generate_series(1, $1::int) g
"""
SUBSCRIPTIONS = """
INSERT INTO subscriptions (contact_id, topic, active, updated_at)
SELECT g, 'village_notices', true, now() FROM generate_series(1, $1::int) g
"""
ADAPTERS = ("telegram", "zalo", "android_sms")


def parse_rates(raw: str) -> dict[str, float]:
    rates = dict(part.split("=", 1) for part in raw.split(",") if part)
    unknown = set(rates) - set(ADAPTERS)
    if unknown:
        raise SystemExit(f"unknown adapters in --rates: {sorted(unknown)}")
    return {name: float(rates.get(name, 50)) for name in ADAPTERS}


BURST = 0.1  # of the rate: what the bot may send at once, and what the fake providers tolerate


def burst_of(rate: float) -> int:
    return max(2, int(rate * BURST))


def environment(
    fakes: dict[str, FakeProvider], rates: dict[str, float], db_url: str, redis_url: str
) -> dict[str, str]:
    """What the workers and this process are configured with (BANBOT_ variables)."""
    tg, oa, gw = fakes["telegram"], fakes["zalo"], fakes["android_sms"]
    if not (isinstance(oa, FakeZaloOa) and isinstance(gw, FakeAndroidGateway)):
        raise TypeError("the zalo and android_sms fakes are FakeZaloOa and FakeAndroidGateway")
    env = {
        "BANBOT_ENV": "test", "BANBOT_DATABASE_URL": db_url, "BANBOT_REDIS_URL": redis_url,
        "BANBOT_QUEUE": "saq", "BANBOT_QUEUE_NAME": "bench", "BANBOT_NLU": "builtin",
        "BANBOT_WORKSPACE__SIMULATOR": "false",
        "BANBOT_TELEGRAM__TOKEN": "42:BENCH", "BANBOT_TELEGRAM__WEBHOOK_SECRET": "bench-secret",
        "BANBOT_TELEGRAM__API_BASE": tg.url,
        "BANBOT_ZALO__APP_ID": "1234567890123456789", "BANBOT_ZALO__APP_SECRET": "app-secret",
        "BANBOT_ZALO__OA_SECRET_KEY": "oa-secret", "BANBOT_ZALO__ACCESS_TOKEN": oa.access_token,
        "BANBOT_ZALO__REFRESH_TOKEN": oa.refresh_token, "BANBOT_ZALO__API_BASE": oa.url,
        "BANBOT_ZALO__OAUTH_BASE": oa.url, "BANBOT_ZALO__PAID_QUOTA": "true",
        "BANBOT_ANDROID_SMS__BASE_URL": gw.url, "BANBOT_ANDROID_SMS__USERNAME": gw.username,
        "BANBOT_ANDROID_SMS__PASSWORD": gw.password,
        "BANBOT_ANDROID_SMS__SIGNING_KEY": gw.signing_key, "BANBOT_SMS_ROUTE": "android_sms",
    }  # fmt: skip
    for name, rate in rates.items():
        section = name.upper()
        env[f"BANBOT_{section}__ENABLED"] = "true"
        env[f"BANBOT_{section}__SEND_PER_SECOND"] = str(rate)
        # GCRA lets at most R + burst out in any second: the burst is the provider's tolerance
        env[f"BANBOT_{section}__SEND_BURST"] = str(burst_of(rate))
    return env


async def build_db(url: str, name: str, recipients: int) -> tuple[str, float]:
    db_url = await recreate(url, name)
    started = time.perf_counter()
    await prepare_database(Settings(_env_file=None, database_url=db_url))  # type: ignore[call-arg]
    conn = await asyncpg.connect(dsn(db_url))
    try:
        villages = [
            r["id"] for r in await conn.fetch(
                "SELECT id FROM villages WHERE commune_code = $1 ORDER BY id", COMMUNE)
        ]  # fmt: skip
        await conn.execute(CONTACTS, recipients, villages)
        await conn.execute(URNS, recipients)
        await conn.execute(SUBSCRIPTIONS, recipients)
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('contacts', 'id'), $1)", recipients
        )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return db_url, time.perf_counter() - started


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [str(ROOT / ".venv" / "bin" / "banbot"), "worker"],
        env={**os.environ, **env},
        stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
    )  # fmt: skip


async def job_id(db_url: str, key: str) -> int:
    conn = await asyncpg.connect(dsn(db_url))
    try:
        return int(await conn.fetchval("SELECT id FROM jobs WHERE key = $1", key))
    finally:
        await conn.close()


async def counts(db_url: str, notice_id: int) -> Counter[str]:
    conn = await asyncpg.connect(dsn(db_url))
    try:
        rows = await conn.fetch(
            "SELECT status, count(*) AS n FROM outbound_messages WHERE notice_id = $1"
            " GROUP BY status", notice_id)  # fmt: skip
    finally:
        await conn.close()
    return Counter({r["status"]: int(r["n"]) for r in rows})


def rate_of(fake: FakeProvider, burst: int, *, segments: bool) -> tuple[float | None, float]:
    """Units per second after the first burst (messages; SMS segments for an SMS gateway,
    which is what its limit counts), and the seconds from the first message to the last."""
    calls = sorted(fake.calls, key=lambda s: s.at)
    units = [segment_info(s.text).segments if segments else 1 for s in calls]
    if sum(units) <= burst + 1:
        return None, 0.0
    n, spent = 0, 0
    while spent < burst:  # the calls the burst allowance let out at once
        spent += units[n]
        n += 1
    span = calls[-1].at - calls[n - 1].at
    return (sum(units[n:]) / span if span > 0 else None), calls[-1].at - calls[0].at


def sms_share(app: Any, recipients: int) -> dict[str, Any]:
    """Segments of the notice as an SMS, with and without diacritics, and the cost of each."""
    words = app.notices.planner.words(_probe(app), "sms", "vi")
    text = "\n".join(w.text for w in words)
    people = recipients // 5
    price = app.settings.sms_price_vnd
    out: dict[str, Any] = {"people": people, "price_vnd_per_segment": price}
    for name, body in (("with_diacritics", text), ("unaccented", unaccent(text))):
        info = segment_info(body)
        out[name] = {"encoding": info.encoding, "segments": info.segments,
                     "total_segments": info.segments * people,
                     "cost_vnd": info.segments * people * price}  # fmt: skip
    return out


def _probe(app: Any) -> Any:
    from bot.store.notices import NoticeRecord

    now = datetime.now(UTC)
    return NoticeRecord(
        id=0, sender="user:1", sender_contact_id=None, sender_role="admin",
        commune_code=COMMUNE, village_ids=(), topic="village_notices", text=TEXT,
        ask_safety=False, unaccented=False, send_at=now, status="scheduled", planned=0,
        created_at=now, finished_at=None,
    )  # fmt: skip


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rates = parse_rates(args.rates)
    redis_client = aioredis.from_url(args.redis_url)
    await redis_client.flushdb()
    fakes: dict[str, FakeProvider] = {
        "telegram": FakeTelegram(), "zalo": FakeZaloOa(), "android_sms": FakeAndroidGateway(),
    }  # fmt: skip
    for name, fake in fakes.items():
        # the provider's limit over any sliding second: the rate with headroom, and twice the
        # bot's burst (a worker that stalls for a moment sends its due messages together)
        fake.limit_per_second = rates[name] * args.headroom + 2 * burst_of(rates[name])
        fake.delay = args.latency_ms / 1000
        fake.start()
    db_url, setup_s = await build_db(args.postgres_url, args.database, args.recipients)
    env = environment(fakes, rates, db_url, args.redis_url)
    os.environ.update(env)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    app = await build_app(settings, nlu=False)
    workers: list[subprocess.Popen[bytes]] = []
    log = Path(tempfile.gettempdir()) / "banbot-bench-broadcast.log"
    log.write_text("")
    try:
        channels = app.channels
        if channels is None:
            raise SystemExit("the app was built without channels")
        await channels.queue.connect()  # type: ignore[attr-defined]
        admin = NoticeSender("user:1", "admin", name="bench")
        draft = Draft("village_notices", TEXT, commune_code=COMMUNE)
        preview_started = time.perf_counter()
        async with app.store.read() as tx:
            preview = await app.notices.preview(tx, admin, draft)  # type: ignore[union-attr]
        preview_s = time.perf_counter() - preview_started
        async with app.store.transaction() as tx:
            notice = await app.notices.create(tx, admin, draft)  # type: ignore[union-attr]
        plan_job = await job_id(db_url, f"notice:{notice.id}:plan")
        started = time.perf_counter()
        await channels.runner.run(Work("job", plan_job, "bulk"))
        planning_s = time.perf_counter() - started
        planned = sum((await counts(db_url, notice.id)).values())
        if args.plan_only:
            for fake in fakes.values():
                fake.stop()
            if not args.keep:
                await drop(args.postgres_url, args.database)
            return {
                "benchmark": "broadcast_planning", "date": datetime.now(UTC).date().isoformat(),
                "cores": os.cpu_count(), "recipients": args.recipients, "planned": planned,
                "setup_s": round(setup_s, 1), "preview_s": round(preview_s, 2),
                "preview": preview.as_json(), "planning_s": round(planning_s, 2),
            }  # fmt: skip
        sending_started = time.perf_counter()
        workers = [start_worker(env, log) for _ in range(args.workers)]
        killed: dict[str, Any] | None = None
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            accepted = sum(f.accepted for f in fakes.values())
            if args.kill and killed is None and accepted >= planned // 3:
                victim = workers.pop(0)
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                killed = {
                    "at_accepted": accepted,
                    "at_s": round(time.perf_counter() - sending_started, 1),
                }
                workers.append(start_worker(env, log))
            status = await counts(db_url, notice.id)
            if status["queued"] + status["sending"] == 0:
                break
        sending_s = time.perf_counter() - sending_started
        status = await counts(db_url, notice.id)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.kill()
        await app.aclose()
        await redis_client.flushdb()
        await redis_client.aclose()
    per_adapter: dict[str, Any] = {}
    duplicates = 0
    for name, fake in fakes.items():
        burst = burst_of(rates[name])
        achieved, span = rate_of(fake, burst, segments=name == "android_sms")
        seen = Counter(s.recipient for s in fake.calls)
        twice = sum(1 for n in seen.values() if n > 1)
        duplicates += twice
        per_adapter[name] = {
            "accepted": fake.accepted, "people": len(seen), "duplicates": twice,
            "unit": "segment" if name == "android_sms" else "message",
            "limit_per_s": rates[name], "achieved_per_s": round(achieved or 0, 1),
            "ratio": round((achieved or 0) / rates[name], 3), "span_s": round(span, 1),
            "throttled_by_provider": fake.refused,
        }  # fmt: skip
        fake.stop()
    if not args.keep:
        await drop(args.postgres_url, args.database)
    open_left = status["queued"] + status["sending"]
    result = {
        "benchmark": "broadcast", "date": datetime.now(UTC).date().isoformat(),
        "cores": os.cpu_count(), "python": platform.python_version(),
        "store": "postgresql", "queue": "saq", "workers": args.workers,
        "recipients": args.recipients, "latency_ms": args.latency_ms,
        "setup_s": round(setup_s, 1), "preview_s": round(preview_s, 2),
        "preview": preview.as_json(), "planning_s": round(planning_s, 2), "planned": planned,
        "sending_s": round(sending_s, 1), "statuses": dict(status),
        # the run ends when nothing is open, or at --timeout: then the open rows are late,
        # not lost, and say so apart
        "timed_out": open_left > 0, "open_at_end": open_left,
        "lost": max(0, planned - sum(status.values())),
        "duplicates": duplicates, "adapters": per_adapter,
        "min_ratio": min(a["ratio"] for a in per_adapter.values()),
        "killed": killed, "sms": sms_share(app, args.recipients),
    }  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rates",
        default="telegram=100,zalo=100,android_sms=50",
        help="configured send limits per adapter (messages a second)",
    )
    parser.add_argument(
        "--headroom",
        type=float,
        default=1.05,
        help="the fake providers allow this much above the configured limit",
    )
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--kill", action="store_true", help="SIGKILL a worker a third in")
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--plan-only", action="store_true", help="stop after planning")
    parser.add_argument("--database", default="banbot_bench_broadcast")
    parser.add_argument(
        "--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    # not 15, the test suite's: the bench empties its database before and after
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args)), ensure_ascii=False))


if __name__ == "__main__":
    main()
