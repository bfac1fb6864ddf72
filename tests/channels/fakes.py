"""A tiny channel adapter that records calls (PTB's habit: fakes that record, not mocks).

Webhook body (JSON): ``{"messages": [{"id", "from", "text"?, "event"?, "phone"?}],
"statuses": [{"id", "status", "stopped"?}]}``; header ``x-fake-secret`` must equal the secret.
Sends follow ``script`` (a SendResult, an exception to raise, or None for a default success);
``unreachable`` maps an address to the reason :meth:`FakeAdapter.reachable` gives (Zalo's
closed reply window).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import types
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from bot.channels.base import (
    AdapterDefaults,
    BadPayload,
    DeliveryStatus,
    ParseResult,
    SendResult,
    Unauthorized,
    WebhookRequest,
)
from bot.domain.messages import Inbound, Outbound, Reply


class FakeAdapter(AdapterDefaults):
    rendering = "telegram"

    def __init__(
        self,
        name: str = "fake",
        script: Iterable[SendResult | BaseException | None] = (),
        secret: str = "fake-secret",  # noqa: S107 - a test fixture value
    ) -> None:
        self.name = name
        self.schemes: tuple[str, ...] = (name,)
        self.secret = secret
        self.script: deque[SendResult | BaseException | None] = deque(script)
        self.calls: list[Outbound] = []
        self.sent: list[Outbound] = []
        self.gate: asyncio.Event | None = None
        self.delay = 0.0
        self.closed = False
        self.unreachable: dict[str, str] = {}

    async def verify(self, request: WebhookRequest) -> None:
        given = request.headers.get("x-fake-secret")
        if not given:
            raise Unauthorized(401, "no secret header")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise Unauthorized(403, "wrong secret")

    def parse(self, request: WebhookRequest) -> ParseResult:
        try:
            body = json.loads(request.body)
        except ValueError as exc:
            raise BadPayload("invalid JSON") from exc
        inbounds = [
            Inbound(
                adapter=self.name,
                address=f"{self.name}:{m['from']}",
                external_id=str(m["id"]),
                text=m.get("text", ""),
                event=m.get("event"),
                contact_phone=m.get("phone"),
            )
            for m in body.get("messages", [])
        ]
        statuses = [
            DeliveryStatus(s["id"], s["status"], s.get("code"), s.get("stopped", False))
            for s in body.get("statuses", [])
        ]
        return ParseResult(inbounds, statuses, response_body="ok")

    async def reachable(self, address: str) -> str | None:
        return self.unreachable.get(address)

    def parse_bytes(self, body: bytes) -> ParseResult:
        return self.parse(WebhookRequest("POST", "https://bot.test/", {}, body))

    def render(
        self,
        address: str,
        replies: Sequence[Reply],
        language: str,
        rendering: str | None = None,
    ) -> list[Outbound]:
        return [Outbound(self.name, address, r.text, r.buttons, r.request) for r in replies]

    async def send(self, message: Outbound) -> SendResult:
        self.calls.append(message)
        if self.gate is not None:
            await self.gate.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        item = self.script.popleft() if self.script else None
        if isinstance(item, BaseException):
            raise item
        self.sent.append(message)
        return item or SendResult(external_id=f"{self.name}-{len(self.sent)}")

    async def aclose(self) -> None:
        self.closed = True


def adapter_module(name: str, **kw: Any) -> types.ModuleType:
    """A module with ``build(settings, deps)`` for the registry, building a FakeAdapter."""
    module = types.ModuleType(f"fake_{name}")
    module.built = []  # type: ignore[attr-defined]

    def build(settings: Any, deps: Any) -> FakeAdapter:
        adapter = FakeAdapter(name, **kw)
        module.built.append((adapter, settings, deps))  # type: ignore[attr-defined]
        return adapter

    module.build = build  # type: ignore[attr-defined]
    return module


class FakeClock:
    """Monotonic time that only moves when someone sleeps (limits and backoff, instantly)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)
