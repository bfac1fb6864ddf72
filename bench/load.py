"""Load benchmark: signed webhooks for mixed journeys at rising rates, against the production
shape on this machine, end to end (webhook in -> reply accepted by the provider).

The shape: PostgreSQL (a fresh database ``--database``, dropped afterwards), Redis (``--redis-url``,
emptied before and after), two ``banbot serve`` processes and one ``banbot worker`` (the saq
queue), and fake Telegram and Zalo OA servers on localhost in this process
(``tests/support/fake_providers.py``, answering after ``--latency-ms``). Residents write on
Telegram or Zalo (half each) and follow one of four journeys (a greeting, a flood report, the
poverty check, a loan question); each waits for the bot's answer and four seconds of reading
before writing again, and their messages go to the two app processes in turn (no sticky
sessions: one conversation crosses both processes all the time).

Each step offers ``rate`` new messages a second for ``--step-seconds``; a message counts when
the provider accepted the bot's first reply to it. Printed (one JSON object): per step the
offered and achieved rate, replies, p50 / p99 / max from the webhook's POST to that reply (ms),
the webhook answer's p99, errors (a non-200 webhook answer, or no reply within
``--reply-timeout``); ``held``: the highest rate that, with every lower one, kept p99 <=
``--p99-ms`` and no error; ``slowest``: the five slowest messages of a step (what, where, when).

``--soak-minutes M --rates R``: one step of M minutes at R, with every process's resident
memory (RSS) at the start, every minute and at the end.

    .venv/bin/python bench/load.py [--rates 5,10,20,40,80] [--step-seconds 20]
        [--nlu builtin|rasa --rasa-url http://127.0.0.1:5005] [--soak-minutes 30 --rates 10]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.queue_page import drop, recreate  # noqa: E402 - after the path is set
from bench.webhooks import SECRET, _telegram, _zalo  # noqa: E402
from bot.app import prepare_database  # noqa: E402
from bot.config import Settings  # noqa: E402
from tests.support.fake_providers import FakeTelegram, FakeZaloOa, free_port  # noqa: E402

JOURNEYS = (
    ("chao", "menu"),
    ("nha em o ban nam nieu bi ngap", "khong", "4 nguoi", "nha bi ngap mot nua"),
    ("kiem tra ho ngheo", "ban nam nieu", "6 trieu mot thang", "6 nguoi"),
    ("vay von hoc sinh sinh vien", "menu"),
)
READING = 4.0  # seconds a resident reads and types: under the per-sender limit (20 a minute)


@dataclass
class Resident:
    n: int
    channel: str  # "telegram" | "zalo"
    script: tuple[str, ...]
    step: int = 0
    waiting_since: float | None = None  # monotonic time of the message not answered yet
    last: str = ""  # what that message was and where it went (for the slowest list)
    free_at: float = 0.0

    @property
    def recipient(self) -> str:
        """How the fake provider records the bot's replies to this resident."""
        return str(700000 + self.n) if self.channel == "telegram" else f"24{self.n:08d}"


@dataclass
class Step:
    rate: float
    seconds: float
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)
    webhook_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, why: str) -> None:
        self.errors[why] = self.errors.get(why, 0) + 1

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)

        def pct(values: list[float], q: float) -> float | None:
            return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else None

        return {
            "offered_per_s": self.rate, "seconds": self.seconds, "sent": self.sent,
            "achieved_per_s": round(self.sent / self.seconds, 1), "replied": len(lat),
            "p50_ms": round(statistics.median(lat), 1) if lat else None,
            "p99_ms": pct(lat, 0.99), "max_ms": round(lat[-1], 1) if lat else None,
            "webhook_p99_ms": pct(sorted(self.webhook_ms), 0.99),
            "errors": sum(self.errors.values()), "error_kinds": self.errors,
            "slowest": [f"{ms:.0f} ms {what}" for ms, what in sorted(self.slowest)[-5:][::-1]],
        }  # fmt: skip


def environment(
    tg: FakeTelegram, oa: FakeZaloOa, db_url: str, redis_url: str, args: argparse.Namespace
) -> dict[str, str]:
    env = {
        "BANBOT_ENV": "test", "BANBOT_DATABASE_URL": db_url, "BANBOT_REDIS_URL": redis_url,
        "BANBOT_QUEUE": "saq", "BANBOT_QUEUE_NAME": "load", "BANBOT_NLU": args.nlu,
        "BANBOT_TELEGRAM__ENABLED": "true", "BANBOT_TELEGRAM__TOKEN": "42:BENCH",
        "BANBOT_TELEGRAM__WEBHOOK_SECRET": SECRET, "BANBOT_TELEGRAM__API_BASE": tg.url,
        "BANBOT_ZALO__ENABLED": "true", "BANBOT_ZALO__APP_ID": "1234567890123456789",
        "BANBOT_ZALO__APP_SECRET": "app-secret", "BANBOT_ZALO__OA_SECRET_KEY": SECRET,
        "BANBOT_ZALO__ACCESS_TOKEN": oa.access_token,
        "BANBOT_ZALO__REFRESH_TOKEN": oa.refresh_token, "BANBOT_ZALO__API_BASE": oa.url,
        "BANBOT_ZALO__OAUTH_BASE": oa.url,
    }  # fmt: skip
    if args.rasa_url:
        env["BANBOT_RASA_URL"] = args.rasa_url
    # the providers' own send limits (Zalo OA's default here is 10 messages a second) would
    # cap the replies before the bot does: lifted, so the bot is what is measured
    for section in ("TELEGRAM", "ZALO"):
        env[f"BANBOT_{section}__SEND_PER_SECOND"] = str(args.send_limit)
        env[f"BANBOT_{section}__SEND_BURST"] = str(int(args.send_limit))
    return env


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


async def _sample_rss(
    procs: dict[str, subprocess.Popen[bytes]], memory: dict[str, dict[str, Any]]
) -> None:
    """Every process's RSS once a minute (a soak's curve, not only its two ends)."""
    while True:
        await asyncio.sleep(60)
        for name, p in procs.items():
            memory[name]["samples_kib"].append(rss_kib(p.pid))


async def wait_ready(urls: list[str], within: float = 90.0) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as http:
        for url in urls:
            while True:
                try:
                    if (await http.get(f"{url}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"{url} did not start; see the log")
                await asyncio.sleep(0.2)


class Load:
    def __init__(self, apps: list[str], fakes: dict[str, Any], args: argparse.Namespace) -> None:
        self._apps = itertools.cycle(apps)
        self._fakes = fakes
        self._args = args
        self._random = random.Random(7)
        self._people: list[Resident] = []
        self._by_recipient: dict[tuple[str, str], Resident] = {}
        self._seen = {name: 0 for name in fakes}
        self._ids = itertools.count(1)

    def _resident(self) -> Resident:
        """A resident free to write: one who finished reading, else a new one."""
        now = time.monotonic()
        for person in self._people:
            if person.waiting_since is None and person.free_at <= now:
                return person
        n = len(self._people) + 1
        channel = "telegram" if n % 2 else "zalo"
        person = Resident(n, channel, self._random.choice(JOURNEYS))
        self._people.append(person)
        self._by_recipient[(channel, person.recipient)] = person
        return person

    async def run(self, step: Step, http: httpx.AsyncClient) -> None:
        ticks, tasks = int(step.rate * step.seconds), set()
        watcher = asyncio.create_task(self._watch(step))
        start = time.monotonic()
        for k in range(ticks):
            await asyncio.sleep(max(0.0, start + k / step.rate - time.monotonic()))
            person = self._resident()
            task = asyncio.create_task(self._send(person, step, http))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks)
        deadline = time.monotonic() + self._args.reply_timeout
        # the answers are read off the fakes' records: polled, there is nothing to wait on
        while time.monotonic() < deadline:
            if not any(p.waiting_since for p in self._people):
                break
            await asyncio.sleep(0.05)
        watcher.cancel()
        for person in self._people:
            if person.waiting_since is not None:
                step.error("no_reply")
                person.waiting_since = None
        await asyncio.sleep(READING)  # the last answers' extra parts arrive before the next

    async def _send(self, person: Resident, step: Step, http: httpx.AsyncClient) -> None:
        text = person.script[person.step % len(person.script)]
        person.step += 1
        n = next(self._ids)
        url = f"{next(self._apps)}/webhooks/{person.channel}"
        build = _telegram if person.channel == "telegram" else _zalo
        body, headers = build(n, url, text, person.n)
        person.waiting_since = sent = time.monotonic()
        person.last = f"{url.rsplit('/', 1)[1]}@{url.split('/')[2]} #{person.step} {text!r}"
        step.sent += 1
        try:
            answer = await http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            step.error(type(exc).__name__)
            person.waiting_since = None
            return
        step.webhook_ms.append((time.monotonic() - sent) * 1000)
        if answer.status_code != 200:
            step.error(f"http_{answer.status_code}")
            person.waiting_since = None

    async def _watch(self, step: Step) -> None:
        """Match the providers' accepted messages to the residents waiting for an answer."""
        while True:
            for name, fake in self._fakes.items():
                calls = fake.snapshot()
                for sent in calls[self._seen[name] :]:
                    person = self._by_recipient.get((name, sent.recipient))
                    if person is None or person.waiting_since is None:
                        continue  # a later part of an answer already counted
                    took = (sent.at - person.waiting_since) * 1000
                    step.latencies.append(took)
                    step.slowest.append((took, f"{person.last} t={person.waiting_since:.2f}"))
                    person.waiting_since = None
                    person.free_at = sent.at + READING
                self._seen[name] = len(calls)
            await asyncio.sleep(0.005)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    tg = FakeTelegram(delay=args.latency_ms / 1000).start()
    oa = FakeZaloOa(delay=args.latency_ms / 1000).start()
    redis_client = aioredis.from_url(args.redis_url)
    await redis_client.flushdb()
    db_url = await recreate(args.postgres_url, args.database)
    await prepare_database(Settings(_env_file=None, database_url=db_url))  # type: ignore[call-arg]
    env = {**os.environ, **environment(tg, oa, db_url, args.redis_url, args)}
    log = Path(tempfile.gettempdir()) / "banbot-bench-load.log"
    out = log.open("wb")
    banbot = str(ROOT / ".venv" / "bin" / "banbot")
    ports = [free_port() for _ in range(args.apps)]
    commands = {f"app{i + 1}": ["serve", "--host", "127.0.0.1", "--port", str(port)]
                for i, port in enumerate(ports)}  # fmt: skip
    commands["worker"] = ["worker"]
    procs = {
        name: subprocess.Popen(  # noqa: S603, ASYNC220 - our own CLI, once at the start
            [banbot, *command], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )
        for name, command in commands.items()
    }
    apps = [f"http://127.0.0.1:{p}" for p in ports]
    steps: list[dict[str, Any]] = []
    memory: dict[str, dict[str, Any]] = {}
    sampler: asyncio.Task[None] | None = None
    try:
        await wait_ready(apps)
        load = Load(apps, {"telegram": tg, "zalo": oa}, args)
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            await load.run(Step(2, 3), http)  # warm up (not reported)
            memory = {name: {"start_kib": rss_kib(p.pid), "samples_kib": []}
                      for name, p in procs.items()}  # fmt: skip
            sampler = asyncio.create_task(_sample_rss(procs, memory))
            seconds = args.soak_minutes * 60 if args.soak_minutes else args.step_seconds
            for rate in (float(r) for r in args.rates.split(",")):
                step = Step(rate, seconds)
                await load.run(step, http)
                steps.append(step.summary())
                print(json.dumps(steps[-1]), file=sys.stderr)
        for name, p in procs.items():
            memory[name]["end_kib"] = rss_kib(p.pid)
    finally:
        if sampler is not None:
            sampler.cancel()
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        tg.stop()
        oa.stop()
        await redis_client.flushdb()
        await redis_client.aclose()
        await drop(args.postgres_url, args.database)
    # held: the highest rate that, with every lower one, kept p99 <= target and no error (a
    # lucky step above a missed one does not count)
    held = list(itertools.takewhile(
        lambda s: s["errors"] == 0 and s["p99_ms"] is not None and s["p99_ms"] <= args.p99_ms,
        sorted(steps, key=lambda s: s["offered_per_s"]),
    ))  # fmt: skip
    return {
        "benchmark": "load_soak" if args.soak_minutes else "load",
        "date": datetime.now(UTC).date().isoformat(), "cores": os.cpu_count(),
        "python": platform.python_version(), "shape": f"{args.apps} app + 1 worker, saq, "
        "PostgreSQL, Redis", "nlu": args.nlu, "latency_ms": args.latency_ms,
        "send_limit_per_s": args.send_limit,
        "p99_target_ms": args.p99_ms, "steps": steps,
        "held_per_s": held[-1]["offered_per_s"] if held else None,
        "memory": memory, "log": str(log),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="5,10,20,40,80", help="messages a second, per step")
    parser.add_argument("--step-seconds", type=float, default=20.0)
    parser.add_argument("--soak-minutes", type=float, default=0.0)
    parser.add_argument("--apps", type=int, default=2)
    parser.add_argument("--p99-ms", type=float, default=200.0)
    parser.add_argument("--reply-timeout", type=float, default=10.0)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument(
        "--send-limit", type=float, default=500.0, help="each provider's send limit (msg/s)"
    )
    parser.add_argument("--nlu", choices=("builtin", "rasa"), default="builtin")
    parser.add_argument("--rasa-url", default=None)
    parser.add_argument("--database", default="banbot_bench_load")
    parser.add_argument(
        "--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()
    if args.nlu == "rasa" and not args.rasa_url:
        parser.error("--nlu rasa needs --rasa-url (make rasa serves one on :5005)")
    print(json.dumps(asyncio.run(run(args)), ensure_ascii=False))


if __name__ == "__main__":
    main()
