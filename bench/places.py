"""Place-matching benchmark: p50/p99 of Gazetteer.match on short names, sentences, long texts.

Prints one JSON object. CPU time per call (thread time) and wall time are both reported.

    .venv/bin/python bench/places.py
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from bot.places.gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
SHORT = ["nam nieu", "Bản Nam Niệu", "xã Chiềng Xôm", "huyện Mai Sơn", "chieng xomm", "ok"]
SENTENCES = ["nhà em ở bản Nam Niệu phường Chiềng An bị ngập", "toi muon hoi ve vay von"]
LONG = ["nha em bi ngap o ban nam nieu " * 170]


def measure(gz: Gazetteer, texts: list[str], rounds: int) -> dict[str, float]:
    cpu, wall = [], []
    for _ in range(rounds):
        for text in texts:
            c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
            gz.match(text)
            cpu.append((time.thread_time_ns() - c0) / 1e6)
            wall.append((time.perf_counter_ns() - w0) / 1e6)
    cpu.sort()
    wall.sort()
    return {
        "calls": len(cpu),
        "cpu_p50_ms": round(statistics.median(cpu), 3),
        "cpu_p99_ms": round(cpu[int(len(cpu) * 0.99) - 1], 3),
        "wall_p99_ms": round(wall[int(len(wall) * 0.99) - 1], 3),
    }


def main() -> None:
    started = time.perf_counter()
    gz = Gazetteer.load(ROOT / "data" / "places")
    load_ms = (time.perf_counter() - started) * 1000
    result = {
        "benchmark": "places",
        "load_ms": round(load_ms, 1),
        "short": measure(gz, SHORT, 500),
        "sentences": measure(gz, SENTENCES, 500),
        "long_5000_chars": measure(gz, LONG, 50),
        "cores": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
