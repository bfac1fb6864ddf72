"""The embedded default under load, beside an anchor, in one run.

Two HTTP servers are started in turn, each a subprocess on 127.0.0.1 with the same uvicorn
settings, and ``--senders`` simulated people write to ``POST /sim/messages`` as fast as the
answers come back (each waits for its answer before writing again) for ``--seconds``:

- **anchor**: a bare FastAPI app doing what the bot's per-message state costs at least, four
  Redis round trips (dedupe ``SET NX``, lock ``SET NX``, session ``GET``, session ``SET`` + lock
  ``DEL`` pipelined), and a fixed JSON answer;
- **bot**: ``banbot serve`` on the embedded defaults (SQLite file, in-process sessions, the
  built-in NLU), every sender already known (one untimed first message each), then greetings
  and menu requests, the messages that must not cost a database write;
- **journey** (``--journey``): the bot again, each sender reporting a flood (free text through
  the NLU, a report written) over and over — the writing path, for comparison.

Prints one JSON object per target and round (messages/s, p50/p99 ms, errors, the server's CPU
ms per message, cores, date; rounds alternate the targets) and a summary: the medians per
target and the bot's rate as a share of the anchor's. Every loop is bounded in time; the
anchor's Redis keys carry a unique prefix and are deleted afterwards. ``--baseline DIR`` also
runs the bot from an older checkout (``git archive <commit> | tar -x -C DIR``) in the same run.

    .venv/bin/python bench/load_embedded.py [--senders 32] [--seconds 10] [--rounds 3]
        [--journey] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation import SCRIPT, free_port  # noqa: E402 - after the path is set

GREETINGS = ("xin chào", "menu", "chào")


class AnchorMessage(BaseModel):
    """The anchor's request body (the simulator's, less what it does not use)."""

    user: str
    channel: str = "sms"
    text: str = ""


def anchor_app(redis_url: str, prefix: str) -> Any:
    """The anchor: what a message costs with nothing but its four Redis round trips."""
    from fastapi import FastAPI
    from redis.asyncio import Redis

    api = FastAPI()
    redis = Redis.from_url(redis_url)

    @api.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.post("/sim/messages")
    async def message(body: AnchorMessage) -> dict[str, Any]:
        key = f"{prefix}{body.user}"
        first = await redis.set(f"{key}:d:{uuid.uuid4().hex}", 1, nx=True, ex=60)
        await redis.set(f"{key}:lock", 1, nx=True, px=5000)
        session = await redis.get(f"{key}:s")
        async with redis.pipeline(transaction=False) as pipe:
            pipe.set(f"{key}:s", session or b"{}", ex=600)
            pipe.delete(f"{key}:lock")
            await pipe.execute()
        return {"replies": [{"text": "Xin chào", "buttons": []}], "duplicate": not first}

    return api


async def wait_ready(base: str, limit_s: float = 180.0) -> None:
    deadline = time.monotonic() + limit_s
    async with aiohttp.ClientSession() as client:
        while time.monotonic() < deadline:
            try:
                async with client.get(f"{base}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError("server did not become ready")


async def sender(
    client: aiohttp.ClientSession,
    base: str,
    user: str,
    script: Sequence[str],
    until: float,
    must_see: str | None,
) -> tuple[list[float], list[str]]:
    """Write ``script`` over and over until ``until``; latencies and errors (non-200, empty
    answer, an apology, or a journey without its reference code)."""
    latencies: list[float] = []
    errors: list[str] = []
    seen, i = False, 0
    while time.monotonic() < until:
        text = script[i % len(script)]
        started = time.perf_counter()
        try:
            async with client.post(
                f"{base}/sim/messages", json={"user": user, "channel": "sms", "text": text}
            ) as r:
                body = await r.text()
                status = r.status
        except aiohttp.ClientError as exc:
            errors.append(repr(exc))
            continue
        finally:
            latencies.append((time.perf_counter() - started) * 1000)
        if status != 200 or '"replies":[]' in body or ("Xin lỗi" in body or "Xin loi" in body):
            errors.append(f"{status} {body[:120]}")
        seen = seen or (must_see is not None and must_see in body)
        i += 1
        if must_see is not None and i % len(script) == 0:
            if not seen:
                errors.append(f"{user}: journey without {must_see}")
            seen = False
    return latencies, errors


async def load(
    base: str, senders: int, seconds: float, script: Sequence[str], must_see: str | None = None
) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=senders)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        users = [f"load{uuid.uuid4().hex[:8]}{i}" for i in range(senders)]
        # Untimed: each sender becomes a known contact (first contact writes, by design).
        await asyncio.gather(*(_first(client, base, u) for u in users))
        started = time.monotonic()
        until = started + seconds
        results = await asyncio.gather(
            *(sender(client, base, u, script, until, must_see) for u in users)
        )
        wall = time.monotonic() - started
    lat = sorted(x for r in results for x in r[0])
    errors = [e for r in results for e in r[1]]
    return {
        "messages": len(lat),
        "messages_per_s": round(len(lat) / wall, 1),
        "p50_ms": round(statistics.median(lat), 2) if lat else None,
        "p99_ms": round(lat[max(0, int(len(lat) * 0.99) - 1)], 2) if lat else None,
        "errors": len(errors),
        "first_errors": errors[:3],
    }


async def _first(client: aiohttp.ClientSession, base: str, user: str) -> None:
    for text in ("xin chào", "menu"):
        payload = {"user": user, "channel": "sms", "text": text}
        async with client.post(f"{base}/sim/messages", json=payload) as r:
            r.raise_for_status()
            await r.read()


async def run_target(
    name: str,
    cmd: list[str],
    env: dict[str, str],
    port: int,
    args: argparse.Namespace,
    cwd: Path = ROOT,
) -> dict[str, Any]:
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stderr=subprocess.DEVNULL)  # noqa: S603, ASYNC220 - started once, before timing
    try:
        await wait_ready(base)
        cpu = cpu_seconds(proc.pid)
        if name.startswith("journey"):
            texts = [str(m["text"]) for m in SCRIPT]
            figures = await load(base, args.senders, args.seconds, texts, must_see="TT-")
        else:
            figures = await load(base, args.senders, args.seconds, GREETINGS)
        used = cpu_seconds(proc.pid) - cpu  # first contacts included: a slight overcount
        figures["server_cpu_ms_per_message"] = round(1000 * used / max(1, figures["messages"]), 2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {
        "benchmark": "load_embedded",
        "target": name,
        "senders": args.senders,
        "seconds": args.seconds,
        **figures,
        "cores": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far (Linux /proc): what a message
    costs the server, whatever else the busy machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _drop_keys(redis_url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    try:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}*", count=1000)]
        for i in range(0, len(keys), 1000):
            await redis.delete(*keys[i : i + 1000])
    finally:
        await redis.aclose()


async def run_anchor(args: argparse.Namespace) -> dict[str, Any]:
    prefix = f"bench:anchor:{os.getpid()}:"
    port = free_port()
    env = {**os.environ, "ANCHOR_REDIS_URL": args.redis_url, "ANCHOR_PREFIX": prefix}
    cmd = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--no-access-log"]
    cmd += ["--log-level", "warning", "--port", str(port)]
    cmd += ["--factory", "bench.load_embedded:anchor_from_env"]
    try:
        return await run_target("anchor", cmd, env, port, args)
    finally:
        await _drop_keys(args.redis_url, prefix)


async def run_bot(name: str, root: Path, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "BANBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/load.db",
            "BANBOT_REDIS_URL": "",
            "BANBOT_NLU": "builtin",
            # the per-IP and per-sender limits (hostile input) would answer most of these
            # messages with 429 or a "please wait": lifted, so every message is handled
            # (the limiters still run)
            "BANBOT_LIMITS__IP_PER_MINUTE": "10000000",
            "BANBOT_LIMITS__SENDER_PER_MINUTE": "10000000",
            "BANBOT_LIMITS__SENDER_BURST": "1000000",
        }
        port = free_port()
        cmd = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--no-access-log"]
        return await run_target(name, cmd, env, port, args, cwd=root)


async def main_async(args: argparse.Namespace) -> None:
    bots = [("bot", ROOT), *([("journey", ROOT)] if args.journey else [])]
    if args.baseline:
        bots.append(("bot_baseline", args.baseline.resolve()))
    runs: dict[str, list[dict[str, Any]]] = {}
    # Rounds alternate the targets, so a busy machine's swings fall on all of them alike.
    for n in range(args.rounds):
        for name, root in [("anchor", ROOT), *bots]:
            result = await (run_anchor(args) if name == "anchor" else run_bot(name, root, args))
            result["round"] = n + 1
            runs.setdefault(name, []).append(result)
            print(json.dumps(result), flush=True)
    summary: dict[str, Any] = {"benchmark": "load_embedded", "rounds": args.rounds}
    for name, results in runs.items():
        summary[name] = {
            key: statistics.median(r[key] for r in results)
            for key in ("messages_per_s", "p50_ms", "p99_ms", "server_cpu_ms_per_message")
        } | {"errors": sum(r["errors"] for r in results)}
    anchor_rate = summary["anchor"]["messages_per_s"]
    bot_rate = summary["bot"]["messages_per_s"]
    summary["bot_rate_share_of_anchor"] = round(bot_rate / anchor_rate, 3) if anchor_rate else None
    print(json.dumps(summary))


def anchor_from_env() -> Any:
    """uvicorn --factory entry point of the anchor (settings from the environment)."""
    return anchor_app(os.environ["ANCHOR_REDIS_URL"], os.environ["ANCHOR_PREFIX"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--journey", action="store_true", help="Also time flood reports.")
    parser.add_argument("--rounds", type=int, default=1, help="Alternate the targets N times.")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="Also run the bot from this checkout (e.g. `git archive` of an older commit "
        "unpacked in a folder), with this environment: before and after in one run.",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BANBOT_ANCHOR_REDIS_URL", "redis://127.0.0.1:6379/14"),
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
