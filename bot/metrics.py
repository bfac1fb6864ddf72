"""Every Prometheus metric of the bot, and the one-line hooks the code calls.

The metric objects live here and nowhere else; the places that know a fact call one function
(``metrics.inbound(adapter)``) so a hook costs one line there. What each metric means and the
suggested alert rules are in docs/operations.md ("Metrics and alerts").

Per-process scraping, not prometheus_client's multiprocess mode: each app process serves its
own ``/metrics`` and each ``banbot worker --metrics-port N`` its own port, and Prometheus sums
over the targets (``sum by (adapter) (rate(...))``). Processes run on several machines (the
multiprocess mode shares files in one directory of one machine), and a restarted process simply
starts its counters again, which ``rate()`` handles. Labels are small closed sets (adapter,
flow, report kind, outcome): no address, reference or id is ever a label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

INBOUND = Counter(
    "banbot_inbound_messages", "Inbound messages handed to the pipeline.", ["adapter"]
)
DUPLICATES = Counter(
    "banbot_inbound_duplicates", "Inbound deliveries dropped as repeats (dedupe).", ["adapter"]
)
HANDLED = Histogram(
    "banbot_message_seconds",
    "Time the pipeline took for one inbound message (dedupe to replies).",
    ["adapter"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0),
)
NLU = Histogram(
    "banbot_nlu_parse_seconds",
    "Time to understand one free text, by configured backend (rasa includes its fallback).",
    ["backend"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
NLU_FALLBACKS = Counter(
    "banbot_nlu_fallbacks", "Texts the built-in NLU answered because Rasa did not.", ["reason"]
)
DIALOGS = Counter(
    "banbot_dialog_completions", "Flows left, by flow and how (end or cancel).", ["flow", "how"]
)
REPORTS = Counter(
    "banbot_reports",
    "Reports saved, by kind and urgency (none: not scored; normal; flagged).",
    ["kind", "urgency"],
)
ALERT_LATENCY = Histogram(
    "banbot_alert_latency_seconds",
    "Alert delays: planned = report saved -> first alert messages written; "
    "sent = alert message written -> accepted by the provider.",
    ["stage"],
    buckets=(0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0),
)
QUEUE_DEPTH = Gauge("banbot_queue_depth", "Items due and waiting for a worker, per lane.", ["lane"])
SENDS = Counter(
    "banbot_sends",
    "Provider send attempts by outcome: sent, or the error kind (retryable, throttled, "
    "unknown, permanent, stopped).",
    ["adapter", "outcome"],
)
SMS_SEGMENTS = Counter("banbot_sms_segments", "SMS segments sent (what is billed).", ["adapter"])
READY = Gauge(
    "banbot_ready_check", "1 when a /readyz check passed the last time it ran.", ["check"]
)


def inbound(adapter: str) -> None:
    INBOUND.labels(adapter).inc()


def duplicate(adapter: str) -> None:
    DUPLICATES.labels(adapter).inc()


def handled(adapter: str, seconds: float) -> None:
    HANDLED.labels(adapter).observe(seconds)


def nlu_parsed(backend: str, seconds: float) -> None:
    NLU.labels(backend).observe(seconds)


def nlu_fallback(reason: str) -> None:
    NLU_FALLBACKS.labels(reason).inc()


def turn_events(events: Iterable[Mapping[str, Any]]) -> None:
    """Count the engine's ``leave`` events (a flow ended or was cancelled)."""
    for event in events:
        if event.get("type") == "leave":
            DIALOGS.labels(str(event.get("flow")), str(event.get("how"))).inc()


def report_saved(kind: str, urgency: int | None, flagged: bool) -> None:
    level = "none" if urgency is None else "flagged" if flagged else "normal"
    REPORTS.labels(kind, level).inc()


def alert_planned(seconds: float) -> None:
    ALERT_LATENCY.labels("planned").observe(max(0.0, seconds))


def sent(adapter: str, kind: str, segments: int | None, created: datetime, now: datetime) -> None:
    """One message accepted by its provider (``segments``: SMS only)."""
    SENDS.labels(adapter, "sent").inc()
    if segments:
        SMS_SEGMENTS.labels(adapter).inc(segments)
    if kind == "alert":
        ALERT_LATENCY.labels("sent").observe(max(0.0, (now - created).total_seconds()))


def send_failed(adapter: str, error_kind: str) -> None:
    SENDS.labels(adapter, error_kind).inc()


def queue_depth(depths: Mapping[str, int]) -> None:
    for lane, depth in depths.items():
        QUEUE_DEPTH.labels(lane).set(depth)


def ready_check(name: str, ok: bool) -> None:
    READY.labels(name).set(1 if ok else 0)


def exposition() -> tuple[bytes, str]:
    """This process's metrics in the Prometheus text format, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
