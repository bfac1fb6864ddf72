"""Score one message with a fitted TF-IDF union + logistic regression, without sklearn overhead.

``Pipeline.predict_proba`` on a single short text spends ~5 ms in input validation and
joblib dispatch; the arithmetic is microseconds. :class:`FastLinear` reads the fitted
vocabularies, idf weights and coefficients once and repeats the same computation (sublinear
tf x idf, l2 norm per vectorizer, softmax of the linear scores) in ~0.1 ms. A test checks it
against ``predict_proba``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline


class FastLinear:
    """Class probabilities for one document, equal to the pipeline's ``predict_proba``."""

    def __init__(self, pipeline: Pipeline) -> None:
        union = pipeline.named_steps["features"]
        model = pipeline.named_steps["model"]
        if not isinstance(model, LogisticRegression) or union.transformer_weights:
            raise TypeError("FastLinear needs unweighted TF-IDF features + LogisticRegression")
        self._vectorizers: list[tuple[TfidfVectorizer, int]] = []
        offset = 0
        for _, vec in union.transformer_list:
            if not isinstance(vec, TfidfVectorizer) or vec.norm not in ("l2", None):
                raise TypeError("FastLinear handles TfidfVectorizer with l2 or no norm only")
            self._vectorizers.append((vec, offset))
            offset += len(vec.vocabulary_)
        self._coef = np.asarray(model.coef_, dtype=np.float64)
        self._intercept = np.asarray(model.intercept_, dtype=np.float64)
        self._analyzers: list[Callable[[Any], list[str]]] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_analyzers"] = None  # rebuilt on first use; closures do not pickle reliably
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def proba(self, doc: Any) -> np.ndarray:
        """Probabilities in the model's ``classes_`` order."""
        if self._analyzers is None:
            self._analyzers = [vec.build_analyzer() for vec, _ in self._vectorizers]
        indices: list[int] = []
        weights: list[float] = []
        for (vec, offset), analyze in zip(self._vectorizers, self._analyzers, strict=True):
            vocab = vec.vocabulary_
            counts = Counter(f for f in analyze(doc) if f in vocab)
            if not counts:
                continue
            cols = [vocab[f] for f in counts]
            tf = [(1.0 + math.log(c)) if vec.sublinear_tf else float(c) for c in counts.values()]
            w = np.asarray(tf) * (vec.idf_[cols] if vec.use_idf else 1.0)
            if vec.norm == "l2":
                w = w / np.linalg.norm(w)
            indices.extend(c + offset for c in cols)
            weights.extend(w.tolist())
        scores = self._intercept.copy()
        if indices:
            scores += self._coef[:, indices] @ np.asarray(weights)
        if scores.shape[0] == 1:  # binary: sklearn reports [1 - p, p]
            p = 1.0 / (1.0 + math.exp(-float(scores[0])))
            return np.asarray([1.0 - p, p])
        scores -= scores.max()
        exp = np.exp(scores)
        result: np.ndarray = exp / exp.sum()
        return result
