"""Rasa without a server: answers normalised like the server's, duplicates merged, and the
k-fold harness trains on the training folds and parses only the held-out one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.nlu.builtin import BuiltinNlu
from bot.nlu.compare import cross_validate
from bot.nlu.data import EntitySpan, Example
from integrations.rasa import offline
from integrations.rasa.adapter import RasaError, RasaNlu


def _raw(text: str, intent: str, confidence: float, *entities: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }


def _span(entity: str, start: int, end: int, value: str, extractor: str) -> dict[str, Any]:
    return {"entity": entity, "start": start, "end": end, "value": value, "extractor": extractor}


def test_normalise_reads_values_merges_duplicates_and_applies_the_threshold(
    builtin: BuiltinNlu,
) -> None:
    client = RasaNlu("http://unused", fallback=builtin, threshold=0.55)
    text = "mã TT-7K3Q9M, nhà bị ngập"
    raw = _raw(
        text, "check_report_status", 0.5,
        _span("report_ref", 3, 12, "TT-7K3Q9M", "RegexEntityExtractor"),
        _span("report_ref", 3, 12, "TT-7K3Q9M", "DIETClassifier"),
        _span("hazard", 18, 25, "bị ngập", "DIETClassifier"),
        _span("hazard", 21, 25, "ngập", "RegexEntityExtractor"),
    )  # fmt: skip
    parse = client.normalise(raw, text)
    assert parse["intent"] == {"name": "nlu_fallback", "confidence": 0.55}
    found = [(e["entity"], e["value"], e["start"], e["end"]) for e in parse["entities"]]
    # one entity per type and place, the longer span first, values read the built-in way
    assert found == [("report_ref", "TT-7K3Q9M", 3, 12), ("hazard", "flood", 18, 25)]
    with pytest.raises(RasaError):
        client.normalise({"text": text, "intent": {"name": ""}}, text)


def test_cross_validation_trains_on_the_other_folds_and_parses_the_held_out_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    examples = [
        Example(f"nhà {i} bị ngập", "report_disaster", (EntitySpan("hazard", "flood", 6, 13),))
        for i in range(6)
    ] + [Example(f"chào {i} ạ", "greet") for i in range(6)]
    calls: list[tuple[list[Example], list[str]]] = []

    def fake_train_and_parse(
        data_dir: Path, train: list[Example], texts: list[str], **_: Any
    ) -> list[dict[str, Any]]:
        calls.append((list(train), list(texts)))
        intent = {t.text: t.intent for t in examples}
        plain = {t.text.replace("à", "a").replace("ạ", "a").replace("ị", "i").replace("ậ", "a"):
                 t.intent for t in examples}  # fmt: skip
        return [_raw(t, intent.get(t) or plain.get(t, "greet"), 0.9) for t in texts]

    monkeypatch.setattr(offline, "train_and_parse", fake_train_and_parse)
    client = RasaNlu("http://unused", fallback=_NoParse(), threshold=0.55, canonical=None)
    fit = offline.batch_parser(Path("nlu_data"), client.normalise, examples)
    result = cross_validate(examples, 3, fit)
    assert len(calls) == 3
    for train, texts in calls:
        held = [e.text for e in examples if e not in train]
        assert len(train) == 8 and len(held) == 4
        assert set(held) <= set(texts) and not {e.text for e in train} & set(texts)
    assert result["diacritics"]["intent_accuracy"] == 1.0


class _NoParse:
    async def parse(self, text: str) -> dict[str, Any]:
        raise AssertionError(text)
