"""RasaNlu over a mocked transport (respx): success, normalised entities, every fallback path."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from prometheus_client import REGISTRY

from bot.nlu.builtin import BuiltinNlu
from bot.ports import Nlu
from integrations.rasa.adapter import RasaNlu

URL = "http://rasa.test:5005"
PARSE = f"{URL}/model/parse"
TEXT = "nhà em ở bản Nam Niệu bị ngập, vay 1tr5 cho 5 người"
# A real answer of Rasa 3.6.21 trained on nlu_data/ (see integrations/rasa/payloads.py).
ANSWER: dict[str, Any] = {
    "text": TEXT,
    "intent": {"name": "report_disaster", "confidence": 0.9991},
    "entities": [
        {"entity": "place", "start": 9, "end": 21, "confidence_entity": 0.99,
         "value": "bản Nam Niệu", "extractor": "DIETClassifier"},
        {"entity": "hazard", "start": 25, "end": 29, "confidence_entity": 0.85,
         "value": "flood", "extractor": "DIETClassifier", "processors": ["EntitySynonymMapper"]},
        {"entity": "amount", "start": 35, "end": 39, "confidence_entity": 0.98,
         "value": "1tr5", "extractor": "DIETClassifier"},
        {"entity": "people_count", "start": 44, "end": 51, "confidence_entity": 0.99,
         "value": "5 người", "extractor": "DIETClassifier"},
    ],
    "text_tokens": [[0, 3], [4, 6]],
    "intent_ranking": [
        {"name": "report_disaster", "confidence": 0.9991},
        {"name": "ask_loan_programs", "confidence": 0.0006},
    ],
}  # fmt: skip


class Backup:
    """A fallback NLU that records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def parse(self, text: str) -> dict[str, Any]:
        self.asked.append(text)
        return {"text": text, "intent": {"name": "backup", "confidence": 1.0}, "entities": []}


def _rasa(backup: Nlu, **kw: Any) -> RasaNlu:
    return RasaNlu(URL, fallback=backup, **kw)


def test_implements_the_port(builtin: BuiltinNlu) -> None:
    assert isinstance(_rasa(builtin), Nlu)


@respx.mock
async def test_success_normalises_entities_like_builtin(builtin: BuiltinNlu) -> None:
    route = respx.post(PARSE).mock(return_value=httpx.Response(200, json=ANSWER))
    rasa = _rasa(builtin)
    result = await rasa.parse(TEXT)
    assert json.loads(route.calls.last.request.content) == {"text": TEXT}
    assert result["intent"] == {"name": "report_disaster", "confidence": 0.9991}
    values = {e["entity"]: e["value"] for e in result["entities"]}
    assert values == {
        "place": "bản Nam Niệu",
        "hazard": "flood",
        "amount": 1_500_000,
        "people_count": 5,
    }
    place = result["entities"][0]
    assert (place["village_id"], place["commune_code"]) == ("03664:nam niệu", "03664")
    assert (place["start"], place["end"]) == (9, 21)
    # The same reading as the built-in NLU's own parse of the message.
    own = {e["entity"]: e["value"] for e in builtin.parse_sync(TEXT)["entities"]}
    assert {k: own[k] for k in values} == values
    assert rasa.counters["ok"] == 1 and rasa.counters["fallback"] == 0
    await rasa.aclose()


@respx.mock
async def test_raw_synonyms_and_bad_entities(builtin: BuiltinNlu) -> None:
    text = "nha em bi ngap, tien 12 dong"
    answer = {
        "text": text,
        "intent": {"name": "report_disaster", "confidence": 0.9},
        "entities": [
            {"entity": "hazard", "start": 7, "end": 14, "value": "bi ngap"},  # no synonym hit
            {"entity": "amount", "start": 16, "end": 20, "value": "tien"},  # not money
            {"entity": "hazard", "start": 40, "end": 45, "value": "flood"},  # outside the text
        ],
        "intent_ranking": [],
    }
    respx.post(PARSE).mock(return_value=httpx.Response(200, json=answer))
    rasa = _rasa(builtin)
    result = await rasa.parse(text)
    assert [(e["entity"], e["value"]) for e in result["entities"]] == [("hazard", "flood")]
    assert rasa.counters["entity_dropped"] == 1


@respx.mock
async def test_threshold_turns_a_weak_intent_into_fallback() -> None:
    weak = {**ANSWER, "intent": {"name": "report_disaster", "confidence": 0.4}, "entities": []}
    respx.post(PARSE).mock(return_value=httpx.Response(200, json=weak))
    result = await _rasa(Backup(), threshold=0.55).parse(TEXT)
    assert result["intent"] == {"name": "nlu_fallback", "confidence": 0.55}
    assert result["intent_ranking"][0]["name"] == "nlu_fallback"
    assert result["intent_ranking"][1]["name"] == "report_disaster"


@pytest.mark.parametrize(
    ("reply", "reason", "tries"),
    [
        (httpx.ConnectTimeout("slow"), "timeout", 2),
        (httpx.ReadTimeout("slow"), "timeout", 2),
        (httpx.ConnectError("refused"), "unreachable", 2),
        (httpx.Response(500, text="boom"), "http_5xx", 2),
        (httpx.Response(404, json={"message": "no model"}), "http_status", 1),
        (httpx.Response(200, text="<html>not json"), "bad_answer", 1),
        (httpx.Response(200, json={"text": "x", "intent": {"name": "", "confidence": 2}}),
         "bad_answer", 1),
        (httpx.Response(200, json={"text": "x", "entities": []}), "bad_answer", 1),
        (httpx.Response(200, json=["not", "a", "parse"]), "bad_answer", 1),
    ],
)  # fmt: skip
@respx.mock
async def test_failures_fall_back_and_are_counted(reply: Any, reason: str, tries: int) -> None:
    route = respx.post(PARSE).mock(side_effect=[reply] * tries)
    backup = Backup()
    rasa = _rasa(backup, retries=1)
    metric = REGISTRY.get_sample_value("banbot_nlu_fallbacks_total", {"reason": reason}) or 0
    result = await rasa.parse("nha em bi ngap")
    assert REGISTRY.get_sample_value("banbot_nlu_fallbacks_total", {"reason": reason}) == metric + 1
    assert result["intent"]["name"] == "backup"
    assert backup.asked == ["nha em bi ngap"]
    assert route.call_count == tries
    assert rasa.counters[reason] == 1
    assert rasa.counters["fallback"] == 1 and rasa.counters["ok"] == 0
    assert rasa.counters["retries"] == tries - 1


@respx.mock
async def test_retry_then_success_uses_rasa() -> None:
    respx.post(PARSE).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={**ANSWER, "entities": []})]
    )
    rasa = _rasa(Backup())
    result = await rasa.parse(TEXT)
    assert result["intent"]["name"] == "report_disaster"
    assert dict(rasa.counters) == {"requests": 1, "retries": 1, "ok": 1}


@respx.mock
async def test_dead_server_is_skipped_for_a_while_then_asked_again() -> None:
    route = respx.post(PARSE).mock(side_effect=httpx.ConnectError("refused"))
    now = [100.0]
    rasa = _rasa(Backup(), retries=0, open_after=2, cooldown_seconds=30, clock=lambda: now[0])
    skipped = REGISTRY.get_sample_value("banbot_nlu_fallbacks_total", {"reason": "circuit_open"})
    for _ in range(5):
        await rasa.parse("chao")
    assert route.call_count == 2  # two failures, then three messages skip Rasa
    assert rasa.counters["skipped"] == 3 and rasa.counters["fallback"] == 5
    open_now = REGISTRY.get_sample_value("banbot_nlu_fallbacks_total", {"reason": "circuit_open"})
    assert open_now == (skipped or 0) + 3
    now[0] += 31
    route.mock(return_value=httpx.Response(200, json={**ANSWER, "entities": []}))
    assert (await rasa.parse(TEXT))["intent"]["name"] == "report_disaster"
    assert rasa.counters["ok"] == 1
    await rasa.parse(TEXT)  # closed again: every message goes to Rasa
    assert route.call_count == 4


async def test_nothing_connects_before_the_first_parse() -> None:
    rasa = _rasa(Backup())
    assert rasa._client is None
    await rasa.aclose()
