"""bench/alerts.py runs end to end (two reports): it measures, it does not judge the figures."""

from __future__ import annotations

import importlib.util

from bot.config import ROOT


async def test_the_alert_benchmark_runs() -> None:
    spec = importlib.util.spec_from_file_location("bench_alerts", ROOT / "bench" / "alerts.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = await bench.run(2, 0.0)
    assert result["reports"] == 2
    assert set(result["alert_ms"]) == {"p50", "p99", "max", "mean"}
    assert result["alert_ms"]["max"] > 0
