"""The intent model: fast path equals scikit-learn, and the cache is reused or invalidated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.nlu import classifier
from bot.nlu.builtin import BuiltinNlu, _doc
from bot.nlu.classifier import IntentModel

from .conftest import NLU_DATA


def test_fast_scorer_equals_predict_proba(nlu: BuiltinNlu) -> None:
    for text in ["nha e bi ngap", "vay hộ nghèo", "xyzzy", "", "cam on a nhieu lam"]:
        doc = _doc(nlu.normalizer(text))
        fast = dict(nlu.model.rank(doc))
        slow = dict(zip(nlu.model.labels, nlu.model.proba_slow(doc), strict=True))
        assert fast.keys() == slow.keys()
        for label in fast:
            assert fast[label] == pytest.approx(slow[label], abs=1e-9)


def test_two_intents_at_least() -> None:
    with pytest.raises(ValueError, match="two intents"):
        IntentModel.train([("a", "a"), ("b", "b")], ["x", "x"])


def test_calibrated_svm_variant_trains_and_ranks() -> None:
    docs = [("chao", "chào"), ("chao ban", "chào bạn"), ("xin chao", "xin chào")]
    docs += [("tam biet", "tạm biệt"), ("bye", "bye"), ("tam biet nhe", "tạm biệt nhé")]
    labels = ["greet"] * 3 + ["goodbye"] * 3
    model = IntentModel.train(docs, labels, kind="svm")
    assert model.rank(("chao anh", "chào anh"))[0][0] == "greet"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of nlu_data/ that a test may edit."""
    copy = tmp_path / "nlu_data"
    shutil.copytree(NLU_DATA, copy)
    return copy


def test_cache_is_reused_then_invalidated(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    calls: list[int] = []
    real_train = IntentModel.train.__func__  # type: ignore[attr-defined]

    def counting_train(cls: type[IntentModel], *args: object, **kwargs: object) -> IntentModel:
        calls.append(1)
        return real_train(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(IntentModel, "train", classmethod(counting_train))

    first = BuiltinNlu.train(project, cache_dir=cache)
    assert len(calls) == 1
    assert len(list(cache.glob("intent-*.pkl"))) == 1

    second = BuiltinNlu.train(project, cache_dir=cache)
    assert len(calls) == 1  # reused
    assert second.parse_sync("nha e bi ngap") == first.parse_sync("nha e bi ngap")

    nlu_file = project / "data" / "nlu.yml"
    nlu_file.write_text(
        nlu_file.read_text(encoding="utf-8").replace(
            "- intent: greet\n  examples: |\n",
            "- intent: greet\n  examples: |\n    - chào bà con\n",
        ),
        encoding="utf-8",
    )
    BuiltinNlu.train(project, cache_dir=cache)
    assert len(calls) == 2  # training data changed
    assert len(list(cache.glob("intent-*.pkl"))) == 1  # the stale model was removed

    monkeypatch.setattr(classifier, "CODE_VERSION", "test-bump")
    BuiltinNlu.train(project, cache_dir=cache)
    assert len(calls) == 3  # code changed


def test_corrupt_cache_is_retrained(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    BuiltinNlu.train(project, cache_dir=cache)
    (path,) = cache.glob("intent-*.pkl")
    path.write_bytes(b"not a pickle")
    nlu = BuiltinNlu.train(project, cache_dir=cache)
    assert nlu.parse_sync("vay ho ngheo")["intent"]["name"] == "ask_loan_programs"
    assert path.read_bytes() != b"not a pickle"


def test_unwritable_cache_still_trains(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    nlu = BuiltinNlu.train(project, cache_dir=blocker / "cache")  # cannot mkdir under a file
    assert nlu.parse_sync("cam on")["intent"]["name"] == "thank"
