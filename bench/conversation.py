"""Conversation benchmark: simulated residents through the HTTP simulator.

Starts ``banbot serve`` in a subprocess (memory sessions, then Redis sessions), runs
``--residents`` concurrent residents through a scripted journey, and prints one JSON object per
backend: messages/s, p50/p99 latency (ms), errors. Traffic goes to 127.0.0.1 only; every loop is
bounded in count and time.

    .venv/bin/python bench/conversation.py [--residents 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.webhooks import UNPACED  # noqa: E402

# A whole disaster report, answered the way an SMS user would (numbers for choices).
SCRIPT: list[dict[str, object]] = [
    {"text": "xin chào"},
    {"text": "nha em bi ngap"},  # NLU: report_disaster, hazard=flood
    {"text": "khong"},  # nobody in danger right now
    {"text": "ban nam nieu"},
    {"text": "5"},  # people
    {"text": "5"},  # vulnerable: none
    {"text": "4"},  # house flooded
    {"text": "co"},  # confirm -> report + reference code
    {"text": "menu"},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(base: str, limit_s: float = 120.0) -> None:
    deadline = time.monotonic() + limit_s
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError("server did not become ready")


async def resident(client: httpx.AsyncClient, base: str, user: str, rounds: int) -> list[float]:
    """One resident's messages; raises if a journey did not end in a reference code."""
    latencies = []
    for _ in range(rounds):
        saw_ref = False
        for msg in SCRIPT:
            started = time.perf_counter()
            r = await client.post(
                f"{base}/sim/messages", json={"user": user, "channel": "sms", **msg}
            )
            latencies.append((time.perf_counter() - started) * 1000)
            r.raise_for_status()
            saw_ref = saw_ref or "TT-" in r.text
        if not saw_ref:
            raise RuntimeError(f"{user}: the journey did not end in a report ({r.text[:200]})")
    return latencies


async def run_backend(
    name: str, env: dict[str, str], residents: int, rounds: int
) -> dict[str, object]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        db = {"BANBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db"}
        # every resident writes from 127.0.0.1, faster than a person: no pacing (bot/flood.py)
        unpaced = {f"BANBOT_LIMITS__{k.upper()}": str(v) for k, v in UNPACED.items()}
        env = {**os.environ, **db, **unpaced, **env}
        cmd = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--no-access-log"]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)  # noqa: S603, ASYNC220 - starting the server once, before timing
        try:
            await wait_ready(base)
            limits = httpx.Limits(max_connections=residents)
            async with httpx.AsyncClient(limits=limits, timeout=30) as client:
                started = time.perf_counter()
                results = await asyncio.gather(
                    *(resident(client, base, f"bench{name}{i}", rounds) for i in range(residents)),
                    return_exceptions=True,
                )
                wall = time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    lat = sorted(x for r in results if isinstance(r, list) for x in r)
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    return {
        "benchmark": "conversation",
        "sessions": name.split("+")[0],
        "database": "postgresql" if "+pg" in name else "sqlite",
        "residents": residents,
        "messages": len(lat),
        "messages_per_s": round(len(lat) / wall, 1),
        "p50_ms": round(statistics.median(lat), 2) if lat else None,
        "p99_ms": round(lat[int(len(lat) * 0.99) - 1], 2) if lat else None,
        "errors": errors[:3],
        "cores": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--redis-url", default=os.environ.get("BANBOT_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument(
        "--postgres-url",
        default=None,
        help="Also run Redis sessions + this PostgreSQL (an empty database, e.g. "
        "postgresql+asyncpg://postgres@127.0.0.1:5432/banbot_bench).",
    )
    args = parser.parse_args()
    backends = {"memory": {"BANBOT_REDIS_URL": ""}, "redis": {"BANBOT_REDIS_URL": args.redis_url}}
    if args.postgres_url:
        backends["redis+pg"] = {
            "BANBOT_REDIS_URL": args.redis_url,
            "BANBOT_DATABASE_URL": args.postgres_url,
        }
    for name, env in backends.items():
        print(json.dumps(asyncio.run(run_backend(name, env, args.residents, args.rounds))))


if __name__ == "__main__":
    main()
