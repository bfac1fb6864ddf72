"""``RasaNlu``: the :class:`bot.ports.Nlu` port over a Rasa server's ``POST /model/parse``.

Contract: ``parse(text)`` never raises. It asks Rasa (timeout per try, one retry by default on
a transport error or a 5xx); when Rasa is down, slow or answers something that is not a parse
(bad status, bad JSON, wrong shape) it logs a warning, counts the reason in ``counters`` and
returns the ``fallback`` NLU's parse instead (the built-in NLU in production). After
``open_after`` failures in a row Rasa is not asked for ``cooldown_seconds`` (counted as
``skipped``), so a dead server costs no timeouts on every message.

Rasa's answer is normalised like the built-in NLU's: ``amount``/``people_count`` become ints
(:mod:`bot.nlu.numbers`), lookup entities get the canonical value of the synonyms and a place
the gazetteer's name, through ``canonical(entity, text)`` (by default the fallback's
``entity_value`` when it has one, e.g. :meth:`bot.nlu.builtin.BuiltinNlu.entity_value`);
entities that do not read as their type are dropped. With ``threshold`` an intent below it
becomes ``nlu_fallback`` exactly as the built-in NLU does. Nothing connects before the first
``parse``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import ValidationError

from bot import metrics
from bot.ports import JSON, Nlu
from integrations.rasa.payloads import RasaEntity, RasaParse

log = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
Canonical = Callable[[str, str], dict[str, Any] | None]


class RasaError(Exception):
    """Why one parse could not use Rasa; ``reason`` is the counter key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class RasaNlu:
    """Rasa over HTTP with a fallback NLU; ``counters`` counts ``ok``, ``fallback``, reasons."""

    def __init__(
        self,
        url: str,
        *,
        fallback: Nlu,
        threshold: float | None = None,
        timeout_seconds: float = 2.0,
        retries: int = 1,
        open_after: int = 3,
        cooldown_seconds: float = 30.0,
        canonical: Canonical | None = None,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url.rstrip("/") + "/model/parse"
        self.fallback = fallback
        self.threshold = threshold
        self.timeout = httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 1.0))
        self.retries = retries
        self.open_after = open_after
        self.cooldown_seconds = cooldown_seconds
        self.canonical: Canonical | None = canonical or getattr(fallback, "entity_value", None)
        self.counters: Counter[str] = Counter()
        self._client = client
        self._clock = clock
        self._failures_in_row = 0
        self._closed_until = 0.0

    async def parse(self, text: str) -> JSON:
        """Rasa's parse of ``text``, normalised; the fallback's parse if Rasa fails."""
        self.counters["requests"] += 1
        if self._failures_in_row >= self.open_after and self._clock() < self._closed_until:
            self.counters["skipped"] += 1
            return await self._fall_back(text, "circuit_open")
        try:
            result = self._normalise(await self._ask(text), text)
        except RasaError as exc:
            self.counters[exc.reason] += 1
            self._failures_in_row += 1
            if self._failures_in_row >= self.open_after:
                self._closed_until = self._clock() + self.cooldown_seconds
            log.warning("Rasa parse failed (%s); using the fallback NLU", exc)
            return await self._fall_back(text, exc.reason)
        self._failures_in_row = 0
        self.counters["ok"] += 1
        return result

    def normalise(self, raw: dict[str, Any], text: str) -> JSON:
        """A raw ``/model/parse`` answer normalised as :meth:`parse` does (threshold, entity
        values); raises :class:`RasaError` when it is not a parse."""
        try:
            parse = RasaParse.model_validate(raw)
        except ValidationError as exc:
            raise RasaError("bad_answer", str(exc.errors()[:1])) from exc
        return self._normalise(parse, text)

    async def aclose(self) -> None:
        """Close the HTTP client (only the one this object created)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _fall_back(self, text: str, reason: str) -> JSON:
        self.counters["fallback"] += 1
        metrics.nlu_fallback(reason)
        return await self.fallback.parse(text)

    async def _ask(self, text: str) -> RasaParse:
        client = self._client
        if client is None:
            client = self._client = httpx.AsyncClient(timeout=self.timeout)
        last = RasaError("unknown")
        for attempt in range(self.retries + 1):
            if attempt:
                self.counters["retries"] += 1
                await asyncio.sleep(0.05 * attempt)
            try:
                response = await client.post(self.url, json={"text": text})
            except httpx.TimeoutException as exc:
                last = RasaError("timeout", type(exc).__name__)
                continue
            except httpx.HTTPError as exc:
                last = RasaError("unreachable", f"{type(exc).__name__}: {exc}")
                continue
            if response.status_code >= 500:
                last = RasaError("http_5xx", str(response.status_code))
                continue
            if response.status_code != 200:
                raise RasaError("http_status", str(response.status_code))
            try:
                return RasaParse.model_validate_json(response.content)
            except ValidationError as exc:
                raise RasaError("bad_answer", str(exc.errors()[:1])) from exc
        raise last

    def _normalise(self, parse: RasaParse, text: str) -> JSON:
        if parse.intent is None:
            raise RasaError("bad_answer", "no intent (a model without an intent classifier?)")
        intent = {"name": parse.intent.name, "confidence": parse.intent.confidence}
        ranking = [{"name": r.name, "confidence": r.confidence} for r in parse.intent_ranking]
        if (
            self.threshold is not None
            and intent["name"] != FALLBACK_INTENT
            and parse.intent.confidence < self.threshold
        ):
            intent = {"name": FALLBACK_INTENT, "confidence": self.threshold}
            ranking = [dict(intent), *ranking]
        entities = _dedupe([e for e in (self._entity(raw, text) for raw in parse.entities) if e])
        return {"text": text, "intent": intent, "entities": entities, "intent_ranking": ranking}

    def _entity(self, raw: RasaEntity, text: str) -> dict[str, Any] | None:
        if not 0 <= raw.start < raw.end <= len(text):
            return None  # a span outside our text: Rasa answered about some other message
        out: dict[str, Any] = {
            "entity": raw.entity,
            "start": raw.start,
            "end": raw.end,
            "value": raw.value,
            "extractor": raw.extractor or "rasa",
        }
        if raw.confidence_entity is not None:
            out["confidence"] = raw.confidence_entity
        if self.canonical is not None:
            # Read the mapped value for lookups (Rasa's synonym may already be canonical),
            # the typed words for everything else.
            source = raw.value if isinstance(raw.value, str) else text[raw.start : raw.end]
            fields = self.canonical(raw.entity, source)
            if fields is None and source != text[raw.start : raw.end]:
                fields = self.canonical(raw.entity, text[raw.start : raw.end])
            if fields is None:
                self.counters["entity_dropped"] += 1
                return None
            out.update(fields)
        return out


def _dedupe(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entity per type and place in the text: DIET and the RegexEntityExtractor may both
    find "bị ngập"; the longer span wins, then the first found."""
    kept: list[dict[str, Any]] = []
    for e in sorted(entities, key=lambda e: (e["start"] - e["end"], e["start"])):
        if not any(
            k["entity"] == e["entity"] and k["start"] < e["end"] and e["start"] < k["end"]
            for k in kept
        ):
            kept.append(e)
    return sorted(kept, key=lambda e: (e["start"], e["end"]))


def build(url: str, fallback: Nlu, threshold: float | None = None) -> RasaNlu:
    """The adapter as :func:`bot.app.build_nlu` wires it."""
    return RasaNlu(url, fallback=fallback, threshold=threshold)
