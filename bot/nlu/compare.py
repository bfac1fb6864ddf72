"""Side-by-side evaluation of NLU backends (``banbot nlu evaluate``).

Two test sets live in ``nlu_data/tests/`` and are never trained on:

- ``dev_nlu.yml``, the **dev** set: its misses may guide new training examples, so its figure
  is optimistic;
- ``locked_nlu.yml``, the **locked** set: written before any tuning (its SHA-256 is recorded
  in docs/benchmarks.md). Only aggregate figures of it are ever shown: its errors are not in
  the JSON and not in the table, so nobody picks training data from its misses by accident.

Each set is scored as written and typed without diacritics (:func:`measure`). :func:`folds`
adds k-fold cross-validation of the intents on the training data. :func:`summary` turns it all
into plain JSON and :func:`table` into the text the command prints.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.nlu.data import Example, load_files, load_project
from bot.nlu.evaluate import ALL_ENTITY_TYPES, Report, evaluate, without_diacritics
from bot.textnorm import fold

TEST_FILES = {"dev": "dev_nlu.yml", "locked": "locked_nlu.yml"}
VARIANTS = ("diacritics", "no_diacritics")
Parse = Callable[[str], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class TestSet:
    """One test file: its examples, how many are also training texts, its SHA-256."""

    name: str
    path: Path
    examples: list[Example]
    seen_in_training: int
    sha256: str

    @property
    def locked(self) -> bool:
        return self.name == "locked"


def load_test_sets(nlu_data_dir: Path) -> list[TestSet]:
    """The dev and locked sets of a Rasa project (``tests/``), those that exist.

    ``seen_in_training`` compares texts folded (case, spacing and diacritics ignored).
    """
    trained = {fold(e.text) for e in load_project(nlu_data_dir).examples}
    sets = []
    for name, file in TEST_FILES.items():
        path = nlu_data_dir / "tests" / file
        if not path.is_file():
            continue
        examples = load_files([path]).examples
        overlap = sum(1 for e in examples if fold(e.text) in trained)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        sets.append(TestSet(name, path, examples, overlap, digest))
    return sets


def measure(
    parse: Parse,
    examples: Sequence[Example],
    entity_types: Sequence[str] = ALL_ENTITY_TYPES,
    intent_flows: dict[str, str] | None = None,
) -> dict[str, Report]:
    """Reports on the examples as written and typed without diacritics."""
    plain = [without_diacritics(e) for e in examples]
    return {
        "diacritics": evaluate(parse, examples, entity_types, intent_flows),
        "no_diacritics": evaluate(parse, plain, entity_types, intent_flows),
    }


def split_folds(examples: Sequence[Example], k: int, seed: int = 0) -> list[list[Example]]:
    """``k`` folds stratified by intent (a seeded shuffle, then dealt round-robin)."""
    by_intent: dict[str, list[Example]] = {}
    for ex in examples:
        by_intent.setdefault(ex.intent, []).append(ex)
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    out: list[list[Example]] = [[] for _ in range(k)]
    i = 0
    for intent in sorted(by_intent):
        group = list(by_intent[intent])
        rng.shuffle(group)
        for ex in group:
            out[i % k].append(ex)
            i += 1
    return out


def cross_validate(
    examples: Sequence[Example], k: int, fit: Callable[[list[Example]], Parse]
) -> dict[str, Any]:
    """k-fold cross-validation of intents: ``fit(training examples)`` returns a parse function.

    Scored as written and without diacritics; returns the mean and each fold's figures.
    """
    parts = split_folds(examples, k)
    per_fold: dict[str, list[Report]] = {v: [] for v in VARIANTS}
    for i, held in enumerate(parts):
        train = [e for j, part in enumerate(parts) if j != i for e in part]
        fold_reports = measure(fit(train), held, entity_types=())
        for variant in VARIANTS:
            per_fold[variant].append(fold_reports[variant])
    out: dict[str, Any] = {"folds": k, "examples": len(examples)}
    for variant in VARIANTS:
        reports = per_fold[variant]
        out[variant] = {
            "intent_accuracy": _r(sum(r.accuracy for r in reports) / k),
            "fallback_rate": _r(sum(r.fallback_rate for r in reports) / k),
            "macro_f1": _r(sum(r.macro_f1 for r in reports) / k),
            "per_fold_accuracy": [_r(r.accuracy) for r in reports],
        }
    return out


def _r(x: float) -> float:
    return round(x, 4)


def _prf(p: float, r: float, f: float, n: int) -> dict[str, Any]:
    return {"precision": _r(p), "recall": _r(r), "f1": _r(f), "n": n}


def report_json(report: Report, *, errors: bool = True) -> dict[str, Any]:
    """One report as JSON; ``errors=False`` leaves the individual misses out (locked set)."""
    out = {
        "messages": report.total,
        "intent_accuracy": _r(report.accuracy),
        "fallback_rate": _r(report.fallback_rate),
        "macro_f1": _r(report.macro_f1),
        "journeys": {k: _r(v) for k, v in report.route_shares().items()},
        "entity_precision": _r(report.entity_precision),
        "entity_recall": _r(report.entity_recall),
        "entity_f1": _r(report.entity_f1),
        "parse_ms": {"p50": _r(report.percentile_ms(50)), "p99": _r(report.percentile_ms(99))},
        "per_category": {
            k: {"accuracy": _r(a), "fallback_rate": _r(f), "n": n}
            for k, (a, f, n) in report.category_scores().items()
        },
        "per_intent": {k: _prf(*v) for k, v in report.intent_scores().items()},
        "per_entity": {k: _prf(*v) for k, v in report.entity_scores().items()},
        "confusions": [list(c) for c in report.confusions()],
    }
    if errors:
        out["errors"] = [list(e) for e in report.errors]
    return out


def set_json(test_set: TestSet) -> dict[str, Any]:
    return {
        "file": str(test_set.path),
        "messages": len(test_set.examples),
        "seen_in_training": test_set.seen_in_training,
        "sha256": test_set.sha256,
    }


def summary(sets: Sequence[TestSet], backends: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The whole evaluation as JSON: ``backends[name] = {"sets": {set: {variant: report}}}``."""
    out: dict[str, Any] = {
        "date": date.today().isoformat(),
        "cores": os.cpu_count(),
        "test_sets": {s.name: set_json(s) for s in sets},
        "backends": backends,
    }
    p50 = {name: _p50(b) for name, b in backends.items()}
    if p50.get("builtin") and p50.get("rasa"):
        out["rasa_over_builtin_p50"] = round(p50["rasa"] / p50["builtin"], 1)
    return out


def _p50(backend: dict[str, Any]) -> float:
    """The median of the backends' per-set p50 parse times (a rough figure; bench/nlu.py
    measures latency properly)."""
    values = sorted(v["parse_ms"]["p50"] for s in backend["sets"].values() for v in s.values())
    return values[len(values) // 2] if values else 0.0


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def _cells(backends: dict[str, Any], getter: Callable[[dict[str, Any]], str], sets: str) -> str:
    return " ".join(
        f"{getter(b['sets'][sets][v]):>13}" for b in backends.values() for v in VARIANTS
    )


def table(result: dict[str, Any]) -> str:
    """A readable rendering of :func:`summary` (percentages; "wr" = as written, "pl" = plain)."""
    backends: dict[str, Any] = result["backends"]
    names = list(backends)
    head = " ".join(f"{n + ' ' + v[:2]:>13}" for n in names for v in ("written", "plain"))
    lines = [f"NLU evaluation, {result['date']}, {result['cores']} cores"]
    for name, info in result["test_sets"].items():
        lines.append(
            f"  {name}: {info['file']} - {info['messages']} messages, "
            f"{info['seen_in_training']} also in training, sha256 {info['sha256'][:16]}"
        )
    for set_name in result["test_sets"]:
        if not all(set_name in b["sets"] for b in backends.values()):
            continue
        lines += ["", f"[{set_name}] {'':24} {head}"]
        rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
            ("intent accuracy %", lambda s: _pct(s["intent_accuracy"])),
            ("fallback rate %", lambda s: _pct(s["fallback_rate"])),
            ("macro F1 %", lambda s: _pct(s["macro_f1"])),
            ("journey started %", lambda s: _pct(s["journeys"]["started"])),
            ("  offered in question %", lambda s: _pct(s["journeys"]["offered"])),
            ("  wrong journey %", lambda s: _pct(s["journeys"]["wrong"])),
            ("  menu %", lambda s: _pct(s["journeys"]["menu"])),
            ("entity P / R %", lambda s: f"{_pct(s['entity_precision'])}/"
                                         f"{_pct(s['entity_recall'])}"),
            ("parse p50 / p99 ms", lambda s: f"{s['parse_ms']['p50']:.2f}/"
                                             f"{s['parse_ms']['p99']:.2f}"),
        ]  # fmt: skip
        lines += [f"  {label:32} {_cells(backends, get, set_name)}" for label, get in rows]
        first = next(iter(backends.values()))["sets"][set_name]["diacritics"]
        lines.append("  accuracy per category %")
        for cat in first["per_category"]:
            n = first["per_category"][cat]["n"]
            get = _category(cat)
            lines.append(f"    {cat[:24]:24} {n:>4}   {_cells(backends, get, set_name)}")
        lines.append("  entity F1 per type %")
        for ent, score in first["per_entity"].items():
            get = _entity(ent)
            lines.append(f"    {ent:24} {score['n']:>4}   {_cells(backends, get, set_name)}")
        lines.append("  confusions (labelled -> predicted: count)")
        for name, b in backends.items():
            for v in VARIANTS:
                found = b["sets"][set_name][v]["confusions"]
                shown = ", ".join(f"{w}->{g}: {n}" for w, g, n in found) or "none"
                lines.append(f"    {name} {v}: {shown}")
    lines.append("")
    for name, b in backends.items():
        cv = b.get("cross_validation")
        if cv:
            d, p = cv["diacritics"], cv["no_diacritics"]
            lines.append(
                f"{name}: {cv['folds']}-fold cross-validation on {cv['examples']} training "
                f"examples: accuracy {_pct(d['intent_accuracy'])} / {_pct(p['intent_accuracy'])} %,"
                f" fallback {_pct(d['fallback_rate'])} / {_pct(p['fallback_rate'])} %"
            )
        extra = {k: v for k, v in b.items() if k not in ("sets", "cross_validation")}
        if extra:
            lines.append(f"{name}: " + ", ".join(f"{k}={v}" for k, v in extra.items()))
    if "rasa_over_builtin_p50" in result:
        lines.append(f"rasa / builtin p50 parse time: {result['rasa_over_builtin_p50']}x")
    return "\n".join(lines)


def _category(cat: str) -> Callable[[dict[str, Any]], str]:
    return lambda s: _pct(s["per_category"].get(cat, {}).get("accuracy", 0.0))


def _entity(ent: str) -> Callable[[dict[str, Any]], str]:
    return lambda s: _pct(s["per_entity"].get(ent, {}).get("f1", 0.0))
