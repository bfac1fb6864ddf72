"""The shared adapter test harness (courier's habit): labelled cases over recorded payloads.

Each adapter's test module declares ``CASES`` (a list of :class:`Case`) and a ``sign``
function, and runs them through the real webhook route with :func:`run_case`. The sink
records what the route handed over and drops replayed deliveries with the same dedupe key the
pipeline uses, so "processed once" is checked the way production does it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from bot.channels.base import ParseResult
from bot.channels.state import MemoryChannelState
from bot.channels.webhook import webhook_router
from bot.domain.messages import Inbound
from bot.ports import ChannelAdapter
from bot.sessions.keys import dedupe_key
from bot.sessions.memory import MemoryDeduper
from integrations.registry import AdapterDeps

TESTDATA = Path(__file__).parent / "testdata"
Signer = Callable[[str, bytes, dict[str, str]], dict[str, str]]


def no_texts(key: str, language: str) -> str:
    """A catalogue with no texts (adapters fall back to their built-in hints)."""
    raise KeyError(key)


def deps(texts: Callable[[str, str], str] = no_texts, **kw: Any) -> AdapterDeps:
    """What an adapter is built with in tests: a fresh memory state unless ``state=`` is given;
    ``transport``, ``clock``, ``poll_seconds`` as given."""
    kw.setdefault("state", MemoryChannelState())
    return AdapterDeps(texts=texts, **kw)


def load(name: str) -> bytes:
    """A recorded payload from ``tests/integrations/testdata/``."""
    return (TESTDATA / name).read_bytes()


@dataclass(frozen=True)
class Case:
    """One labelled webhook case.

    ``body`` is sent as is (bytes/str) or as JSON (dict). ``sign=False`` sends no signature;
    ``headers`` override or add (e.g. a wrong signature). ``inbounds`` lists, per expected
    message, the Inbound fields to compare; ``repeat`` posts the same request again.
    """

    label: str
    body: bytes | str | Mapping[str, Any]
    status: int = 200
    inbounds: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    content_type: str = "application/json"
    sign: bool = True
    headers: Mapping[str, str] = field(default_factory=dict)
    repeat: int = 1
    path_suffix: str = ""


@dataclass
class Recorder:
    """The sink: what reached the pipeline (after dedupe) and the status updates."""

    inbounds: list[Inbound] = field(default_factory=list)
    results: list[ParseResult] = field(default_factory=list)
    deduper: MemoryDeduper = field(default_factory=MemoryDeduper)

    async def __call__(self, adapter: ChannelAdapter, result: ParseResult) -> None:
        self.results.append(result)
        if result.activity:  # as the runtime does, before anything is processed
            await adapter.record_activity(result.activity)
        for msg in result.inbounds:
            key = dedupe_key(msg.adapter, msg.address, msg.external_id)
            if await self.deduper.first_time(key, 3600):
                self.inbounds.append(msg)


async def run_case(
    adapter: ChannelAdapter, case: Case, sign: Signer, base_url: str = "https://bot.example.vn"
) -> tuple[list[httpx.Response], Recorder]:
    """Post ``case`` to ``/webhooks/<adapter.name>`` and return the responses and the sink."""
    recorder = Recorder()
    app = FastAPI()
    app.include_router(webhook_router({adapter.name: adapter}, recorder))
    body = case.body if isinstance(case.body, bytes | str) else json.dumps(case.body)
    raw = body.encode() if isinstance(body, str) else body
    path = f"/webhooks/{adapter.name}{case.path_suffix}"
    headers = {"content-type": case.content_type}
    if case.sign:
        headers.update(sign(f"{base_url}{path}", raw, headers))
    headers.update(case.headers)
    transport = httpx.ASGITransport(app=app)
    responses = []
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        for _ in range(case.repeat):
            responses.append(await client.post(path, content=raw, headers=headers))
    return responses, recorder


def check(case: Case, responses: list[httpx.Response], recorder: Recorder) -> None:
    """Assert the status of every response and the recorded inbounds / statuses."""
    for r in responses:
        assert r.status_code == case.status, f"{case.label}: {r.status_code} {r.text}"
    assert len(recorder.inbounds) == len(case.inbounds), f"{case.label}: {recorder.inbounds}"
    for msg, expected in zip(recorder.inbounds, case.inbounds, strict=True):
        for key, value in expected.items():
            assert getattr(msg, key) == value, f"{case.label}: {key}={getattr(msg, key)!r}"
    statuses = [s for res in recorder.results for s in res.statuses]
    assert len(statuses) == len(case.statuses) * (1 if not case.statuses else len(responses))
    for got, expected in zip(statuses, case.statuses, strict=False):
        for key, value in expected.items():
            assert getattr(got, key) == value, f"{case.label}: {key}={getattr(got, key)!r}"
