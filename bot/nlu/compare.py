"""Side-by-side evaluation of NLU backends on the held-out set (``banbot nlu evaluate``).

:func:`held_out` reads ``nlu_data/tests/*.yml`` (never a training file). :func:`measure` scores
one parse function on it and on its diacritic-free copy; :func:`summary` turns reports into
plain JSON and :func:`table` into the text the command prints.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bot.nlu.data import Example, load_files, load_project
from bot.nlu.evaluate import ALL_ENTITY_TYPES, Report, evaluate, without_diacritics
from bot.textnorm import fold

SETS = ("diacritics", "no_diacritics")


def held_out(nlu_data_dir: Path) -> tuple[list[Path], list[Example], int]:
    """The test files, their examples, and how many of those texts are also training texts
    (compared folded: case, spacing and diacritics ignored)."""
    files = sorted((nlu_data_dir / "tests").glob("*.yml"))
    examples = load_files(files).examples
    trained = {fold(e.text) for e in load_project(nlu_data_dir).examples}
    overlap = sum(1 for e in examples if fold(e.text) in trained)
    return files, examples, overlap


def measure(
    parse: Callable[[str], dict[str, Any]],
    examples: Sequence[Example],
    entity_types: Sequence[str] = ALL_ENTITY_TYPES,
) -> dict[str, Report]:
    """Reports on the examples as written and typed without diacritics."""
    plain = [without_diacritics(e) for e in examples]
    return {
        "diacritics": evaluate(parse, examples, entity_types),
        "no_diacritics": evaluate(parse, plain, entity_types),
    }


def _r(x: float) -> float:
    return round(x, 4)


def report_json(report: Report) -> dict[str, Any]:
    return {
        "messages": report.total,
        "intent_accuracy": _r(report.accuracy),
        "macro_f1": _r(report.macro_f1),
        "entity_precision": _r(report.entity_precision),
        "entity_recall": _r(report.entity_recall),
        "entity_f1": _r(report.entity_f1),
        "parse_ms": {"p50": _r(report.percentile_ms(50)), "p99": _r(report.percentile_ms(99))},
        "per_intent": {
            k: {"precision": _r(p), "recall": _r(r), "f1": _r(f), "n": n}
            for k, (p, r, f, n) in report.intent_scores().items()
        },
        "per_entity": {
            k: {"precision": _r(p), "recall": _r(r), "f1": _r(f), "n": n}
            for k, (p, r, f, n) in report.entity_scores().items()
        },
        "confusions": [list(c) for c in report.confusions()],
        "errors": [list(e) for e in report.errors],
    }


def summary(
    files: Sequence[Path], total: int, overlap: int, backends: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The whole evaluation as JSON: ``backends[name] = {"train_seconds", "sets", ...}``."""
    return {
        "date": date.today().isoformat(),
        "cores": os.cpu_count(),
        "test_files": [str(f) for f in files],
        "messages": total,
        "seen_in_training": overlap,
        "backends": backends,
    }


def _pct(x: float) -> str:
    return f"{100 * x:5.1f} %"


def table(result: dict[str, Any]) -> str:
    """A readable rendering of :func:`summary`."""
    lines = [
        f"NLU evaluation: {result['messages']} held-out messages "
        f"({result['seen_in_training']} also in training), {result['cores']} cores, "
        f"{result['date']}",
        "",
        f"{'backend':8} {'set':14} {'intent acc':>10} {'macro F1':>9} {'ent P':>8} "
        f"{'ent R':>8} {'ent F1':>8} {'p50 ms':>7} {'p99 ms':>7}",
    ]
    backends: dict[str, Any] = result["backends"]
    for name, b in backends.items():
        for set_name in SETS:
            s = b["sets"][set_name]
            lines.append(
                f"{name:8} {set_name:14} {_pct(s['intent_accuracy']):>10} "
                f"{_pct(s['macro_f1']):>9} {_pct(s['entity_precision']):>8} "
                f"{_pct(s['entity_recall']):>8} {_pct(s['entity_f1']):>8} "
                f"{s['parse_ms']['p50']:7.2f} {s['parse_ms']['p99']:7.2f}"
            )
    lines += ["", "Entity F1 per type (diacritics / no diacritics):"]
    types = sorted({t for b in backends.values() for t in b["sets"]["diacritics"]["per_entity"]})
    lines.append(f"  {'type':14} " + " ".join(f"{n:>20}" for n in backends))
    for t in types:
        cells = []
        for b in backends.values():
            d, p = (b["sets"][s]["per_entity"].get(t, {}) for s in SETS)
            cells.append(f"{d.get('f1', 0):.2f} / {p.get('f1', 0):.2f} (n={d.get('n', 0)})")
        lines.append(f"  {t:14} " + " ".join(f"{c:>20}" for c in cells))
    lines += ["", "Confusions (labelled -> predicted: count):"]
    for name, b in backends.items():
        for set_name in SETS:
            found = b["sets"][set_name]["confusions"]
            shown = ", ".join(f"{w} -> {g}: {n}" for w, g, n in found) or "none"
            lines.append(f"  {name} {set_name}: {shown}")
    lines += ["", "Backends:"]
    for name, b in backends.items():
        extra = {k: v for k, v in b.items() if k != "sets"}
        lines.append(f"  {name}: " + ", ".join(f"{k}={v}" for k, v in extra.items()))
    return "\n".join(lines)
