"""NLU benchmark: parse latency (p50/p99) and throughput, built-in NLU and Rasa, one run.

The messages are the dev and locked test sets (``nlu_data/tests/``, texts only) as written and
without diacritics.
The built-in NLU is called the way the pipeline calls it (``await nlu.parse(text)``, in
process); Rasa over HTTP through :class:`integrations.rasa.adapter.RasaNlu`, as the bot uses
it, against a server started by ``scripts/rasa.sh`` on a free port (or ``--rasa-url``).
Latency is measured one message at a time; throughput with ``--concurrency`` parses in
flight. Prints one JSON object per backend, with cores and date.

    .venv/bin/python bench/nlu.py [--rounds 3] [--concurrency 8] [--backend both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.nlu.builtin import BuiltinNlu  # noqa: E402
from bot.nlu.compare import TEST_FILES  # noqa: E402
from bot.nlu.data import load_files  # noqa: E402
from bot.places.gazetteer import Gazetteer  # noqa: E402
from bot.ports import Nlu  # noqa: E402
from bot.textnorm import strip_diacritics  # noqa: E402


def _texts() -> list[str]:
    files = [ROOT / "nlu_data" / "tests" / name for name in TEST_FILES.values()]
    examples = load_files(files).examples
    return [e.text for e in examples] + [strip_diacritics(e.text) for e in examples]


def _pct(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def measure(name: str, nlu: Nlu, texts: list[str], rounds: int, concurrency: int) -> Any:
    for text in texts[:20]:  # warm-up: caches, connections
        await nlu.parse(text)
    latencies: list[float] = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            await nlu.parse(text)
            latencies.append((time.perf_counter() - started) * 1000)
    queue = list(texts * rounds)

    async def worker() -> None:
        while queue:
            await nlu.parse(queue.pop())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "benchmark": "nlu",
        "backend": name,
        "parses": len(latencies),
        "p50_ms": round(_pct(ordered, 50), 3),
        "p99_ms": round(_pct(ordered, 99), 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
        "parses_per_s": round(len(texts) * rounds / wall, 1),
        "concurrency": concurrency,
        "cores": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }


async def main_async(args: argparse.Namespace) -> None:
    texts = _texts()
    places = Gazetteer.load(ROOT / "data" / "places")
    builtin = BuiltinNlu.train(ROOT / "nlu_data", places=places)
    results = []
    if args.backend in ("builtin", "both"):
        results.append(await measure("builtin", builtin, texts, args.rounds, args.concurrency))
    if args.backend in ("rasa", "both"):
        results.append(await _rasa(args, builtin, texts))
    for result in results:
        print(json.dumps(result))
    if len(results) == 2:
        builtin_result, rasa_result = results
        ratios = {
            f"rasa_over_builtin_{k}": round(rasa_result[f"{k}_ms"] / builtin_result[f"{k}_ms"], 1)
            for k in ("p50", "p99", "mean")
        }
        print(json.dumps({"benchmark": "nlu", **ratios}))


async def _rasa(args: argparse.Namespace, builtin: BuiltinNlu, texts: list[str]) -> Any:
    from integrations.rasa.adapter import RasaNlu
    from integrations.rasa.server import RasaServer, rasa_available

    server = None
    url = args.rasa_url
    if url is None:
        if not rasa_available():
            raise SystemExit("no .venv-rasa: build it with scripts/rasa-venv.sh or pass --rasa-url")
        server = await asyncio.to_thread(RasaServer().start)
        url = server.url
    rasa = RasaNlu(url, fallback=builtin, threshold=0.55, timeout_seconds=10.0)
    try:
        result = await measure("rasa", rasa, texts, args.rounds, args.concurrency)
        result["fallbacks"] = rasa.counters["fallback"]  # must be 0 for a fair figure
        if server is not None:
            result["server_rss_mb"] = await asyncio.to_thread(_rss_mb, server.port)
            result["train_and_start_s"] = round(server.seconds, 1)
        return result
    finally:
        await rasa.aclose()
        if server is not None:
            await asyncio.to_thread(server.stop)


def _rss_mb(port: int) -> int:
    """Resident memory of the Rasa server started by scripts/rasa.sh on ``port``."""
    pid = (ROOT / "var" / f"rasa-{port}.pid").read_text().strip()
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS")) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--backend", choices=["builtin", "rasa", "both"], default="both")
    parser.add_argument("--rasa-url", default=None, help="a running Rasa server (no training)")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
