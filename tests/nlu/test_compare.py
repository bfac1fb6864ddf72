"""Folds for cross-validation and the test sets' bookkeeping (bot/nlu/compare.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.nlu.compare import cross_validate, load_test_sets, split_folds
from bot.nlu.data import Example

from .conftest import NLU_DATA

EXAMPLES = [Example(f"{intent} {i}", intent) for intent in ("a", "b", "c") for i in range(10)]


def test_folds_partition_the_examples_stratified_and_reproducibly() -> None:
    folds = split_folds(EXAMPLES, 5)
    assert sorted(e.text for f in folds for e in f) == sorted(e.text for e in EXAMPLES)
    for fold in folds:
        assert Counter(e.intent for e in fold) == {"a": 2, "b": 2, "c": 2}
    assert folds == split_folds(EXAMPLES, 5)
    assert folds != split_folds(EXAMPLES, 5, seed=1)


def test_cross_validation_never_scores_a_training_example() -> None:
    seen: list[set[str]] = []

    def fit(train: list[Example]) -> Any:
        trained = {e.text for e in train}
        seen.append(trained)

        def parse(text: str) -> dict[str, Any]:
            assert text not in trained
            intent = text.split()[0] if text.split()[1] != "0" else "nlu_fallback"
            return {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}

        return parse

    result = cross_validate(EXAMPLES, 3, fit)
    assert len(seen) == 3 and all(len(s) == 20 for s in seen)
    # the three "x 0" examples fall back: 27 of 30 right, 3 fallbacks
    assert result["diacritics"]["intent_accuracy"] == 0.9
    assert result["diacritics"]["fallback_rate"] == 0.1


def test_test_sets_are_the_dev_and_the_locked_one() -> None:
    sets = {s.name: s for s in load_test_sets(NLU_DATA)}
    assert set(sets) == {"dev", "locked"}
    assert sets["locked"].locked and not sets["dev"].locked
    assert all(s.seen_in_training == 0 and len(s.sha256) == 64 for s in sets.values())
