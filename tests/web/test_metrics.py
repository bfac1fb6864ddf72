"""/metrics: the Prometheus exposition of this process; its counters move with a message."""

from __future__ import annotations

from collections import Counter

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.web.conftest import Sim
from tests.web.test_sim import REF, disaster_by_sms, rest_of_the_report

Samples = Counter[tuple[str, tuple[tuple[str, str], ...]]]


async def scrape(client: httpx.AsyncClient) -> tuple[Samples, set[str]]:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    samples: Samples = Counter()
    families = set()
    for family in text_string_to_metric_families(answer.text):
        families.add(family.name)
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples, families


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name`` over every sample whose labels include ``labels``."""
    return sum(
        value
        for (found, have), value in samples.items()
        if found == name and labels.items() <= dict(have).items()
    )


async def test_every_metric_is_exposed(client: httpx.AsyncClient) -> None:
    _, families = await scrape(client)
    assert {
        "banbot_inbound_messages", "banbot_inbound_duplicates", "banbot_message_seconds",
        "banbot_nlu_parse_seconds", "banbot_nlu_fallbacks", "banbot_dialog_completions",
        "banbot_reports", "banbot_alert_latency_seconds", "banbot_queue_depth", "banbot_sends",
        "banbot_sms_segments", "banbot_ready_check",
    } <= families  # fmt: skip


async def test_counters_move_after_a_simulator_report(client: httpx.AsyncClient) -> None:
    before, _ = await scrape(client)
    sim = Sim(client, "metrics", channel="sms")
    await disaster_by_sms(sim)  # 3 messages
    await sim.send("ban nam nieu")
    assert REF.search(sim.text)
    await rest_of_the_report(sim)  # 5 more: the flow ends
    await sim.send("ban nam nieu")  # a repeat of nothing: just one more message
    after, _ = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert moved("banbot_inbound_messages_total", adapter="sim") == 10
    assert moved("banbot_message_seconds_count", adapter="sim") == 10
    assert moved("banbot_nlu_parse_seconds_count", backend="builtin") >= 1
    assert moved("banbot_reports_total", kind="disaster", urgency="flagged") == 1
    assert moved("banbot_reports_total") == 1
    assert moved("banbot_dialog_completions_total", how="end") >= 1
