"""The intent classifier: TF-IDF character and word n-grams, a linear model, a disk cache.

Features (one ``FeatureUnion``): char_wb 2–5-grams of the diacritic-free normalised text (robust
to missing diacritics and typos), char_wb 1–3-grams of the accented normalised text (diacritics
still tell "bão" from "báo" when they are typed), and word 1–2-grams of the diacritic-free text.
The model is a multinomial logistic regression; on the held-out set it beat LinearSVC +
CalibratedClassifierCV (see docs/decisions/0004-builtin-nlu.md). Training takes well under a
second; the fitted model is pickled under a cache directory keyed by a hash of the training
files, the abbreviation table and :data:`CODE_VERSION`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from bot.nlu.fastlinear import FastLinear

log = logging.getLogger(__name__)

# Bump whenever features, model or normalisation change, so cached models are retrained.
CODE_VERSION = "5"

_WORD_PATTERN = r"(?u)\b\w+\b"  # one-letter words count: "k", "e"
Doc = tuple[str, str]  # (folded normalised text, accented normalised text)
ModelKind = Literal["logreg", "svm"]


def _folded(doc: Doc) -> str:
    return doc[0]


def _accented(doc: Doc) -> str:
    return doc[1]


def build_pipeline(kind: ModelKind = "logreg") -> Pipeline:
    """An unfitted feature union + linear model."""
    features = FeatureUnion(
        [
            ("folded_chars", TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), preprocessor=_folded, sublinear_tf=True
            )),
            ("accented_chars", TfidfVectorizer(
                analyzer="char_wb", ngram_range=(1, 3), preprocessor=_accented, sublinear_tf=True
            )),
            ("words", TfidfVectorizer(
                analyzer="word", ngram_range=(1, 2), preprocessor=_folded,
                token_pattern=_WORD_PATTERN, sublinear_tf=True,
            )),
        ]
    )  # fmt: skip
    model: Any
    if kind == "svm":
        model = CalibratedClassifierCV(LinearSVC(C=1.0), cv=3, method="sigmoid")
    else:
        model = LogisticRegression(C=50.0, max_iter=3000)
    return Pipeline([("features", features), ("model", model)])


class IntentModel:
    """A fitted classifier: ranks every intent for a normalised message."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        self.labels: list[str] = [str(c) for c in pipeline.classes_]
        try:
            self._fast: FastLinear | None = FastLinear(pipeline)
        except TypeError:  # the calibrated SVM has no fast path
            self._fast = None

    @classmethod
    def train(
        cls, docs: Sequence[Doc], labels: Sequence[str], kind: ModelKind = "logreg"
    ) -> IntentModel:
        """Fit on normalised documents; raises ValueError with fewer than two intents."""
        if len(set(labels)) < 2:
            raise ValueError("need examples of at least two intents to train")
        pipeline = build_pipeline(kind)
        # One BLAS/OpenMP thread: on a busy 2-core box, oversubscribed threads made the
        # fit ten times slower (4 s instead of 0.4 s) for a problem this small.
        with threadpool_limits(limits=1):
            pipeline.fit(list(docs), list(labels))
        return cls(pipeline)

    def proba_slow(self, doc: Doc) -> list[float]:
        """The same probabilities through scikit-learn's own ``predict_proba`` (for tests)."""
        return [float(p) for p in self._pipeline.predict_proba([doc])[0]]

    def rank(self, doc: Doc) -> list[tuple[str, float]]:
        """``[(intent, probability), ...]`` best first; probabilities sum to 1."""
        probs = self._fast.proba(doc) if self._fast else self._pipeline.predict_proba([doc])[0]
        pairs = [(label, float(p)) for label, p in zip(self.labels, probs, strict=True)]
        return sorted(pairs, key=lambda pair: -pair[1])


def cache_key(files: Sequence[Path]) -> str:
    """A hash of the files' names and bytes, the code version and scikit-learn's version."""
    digest = hashlib.sha256(f"{CODE_VERSION}|{sklearn.__version__}".encode())
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def load_cached(cache_dir: Path, key: str) -> IntentModel | None:
    """The model cached under ``key``, or None (missing or unreadable: retrain)."""
    path = cache_dir / f"intent-{key}.pkl"
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            # Only our own cache directory is read, written by save_cached below.
            model = pickle.load(fh)  # noqa: S301
    except Exception:  # a stale or truncated pickle must never stop the bot starting
        log.warning("ignoring unreadable NLU cache %s", path, exc_info=True)
        return None
    return model if isinstance(model, IntentModel) else None


def save_cached(cache_dir: Path, key: str, model: IntentModel) -> Path | None:
    """Write atomically, drop older cache files; a read-only disk only costs a retrain."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".intent-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        path = cache_dir / f"intent-{key}.pkl"
        os.replace(tmp, path)
        for old in cache_dir.glob("intent-*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
        return path
    except OSError:
        log.warning("could not write NLU cache in %s", cache_dir, exc_info=True)
        return None
