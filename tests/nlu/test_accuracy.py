"""Held-out accuracy of the built-in NLU on nlu_data/tests/test_nlu.yml (never trained on).

Measured when written (2-core box): intents 0.977 with diacritics and 0.981 without; entity
precision / recall 0.97 / 0.99 with diacritics, 0.99 / 0.96 without; parse p50 ~1.0 ms,
p99 ~1.7 ms. The floors below leave room for data edits, not for regressions.
"""

from __future__ import annotations

import pytest

from bot.nlu.builtin import BuiltinNlu
from bot.nlu.data import Example, load_files
from bot.nlu.evaluate import Report, evaluate, without_diacritics

from .conftest import NLU_DATA


@pytest.fixture(scope="module")
def held_out() -> list[Example]:
    return load_files([NLU_DATA / "tests" / "test_nlu.yml"]).examples


def _explain(report: Report) -> str:
    return "\n".join(f"{t!r}: want {w}, got {g} ({p:.2f})" for t, w, g, p in report.errors)


def test_intent_accuracy_with_diacritics(nlu: BuiltinNlu, held_out: list[Example]) -> None:
    report = evaluate(nlu.parse_sync, held_out)
    assert report.total >= 300
    assert report.accuracy >= 0.90, _explain(report)


def test_intent_accuracy_without_diacritics(nlu: BuiltinNlu, held_out: list[Example]) -> None:
    report = evaluate(nlu.parse_sync, [without_diacritics(e) for e in held_out])
    assert report.accuracy >= 0.90, _explain(report)


@pytest.mark.parametrize("plain", [False, True])
def test_entities_on_held_out(nlu: BuiltinNlu, held_out: list[Example], plain: bool) -> None:
    examples = [without_diacritics(e) for e in held_out] if plain else held_out
    report = evaluate(nlu.parse_sync, examples)
    assert report.entity_expected >= 80
    assert report.entity_precision >= 0.90
    assert report.entity_recall >= 0.85
