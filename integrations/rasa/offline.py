"""Rasa without a server: train on given examples and parse texts (``batch.py`` in .venv-rasa).

:func:`train_and_parse` writes a temporary Rasa project (the examples as Rasa YAML, with the
project's lookups, synonyms and regexes), trains with ``config`` and returns Rasa's raw parses.
:func:`rasa_folds` uses it for k-fold cross-validation with the same splits and scoring as the
built-in NLU's (:func:`bot.nlu.compare.cross_validate`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot.nlu.data import Example, to_rasa_yaml, training_files
from bot.textnorm import strip_diacritics
from integrations.rasa.server import rasa_venv

BATCH = Path(__file__).with_name("batch.py")


class RasaBatchError(RuntimeError):
    """Training or parsing failed; the message holds the end of Rasa's output."""


def train_and_parse(
    nlu_data_dir: Path,
    examples: Sequence[Example],
    texts: Sequence[str],
    *,
    config: Path | None = None,
    timeout_seconds: float = 1800.0,
) -> list[dict[str, Any]]:
    """Rasa's raw ``/model/parse`` answers for ``texts`` from a model trained on ``examples``."""
    with tempfile.TemporaryDirectory(prefix="rasa-batch-") as tmp:
        work = Path(tmp)
        data = work / "data"
        data.mkdir()
        for path in training_files(nlu_data_dir):  # lookups, synonyms, regexes
            if "intent:" not in path.read_text(encoding="utf-8"):
                shutil.copy(path, data / path.name)
        (data / "examples.yml").write_text(to_rasa_yaml(examples), encoding="utf-8")
        (work / "texts.json").write_text(json.dumps(list(texts)), encoding="utf-8")
        command = [
            str(rasa_venv() / "bin" / "python"), str(BATCH),
            "--config", str(config or nlu_data_dir / "config.yml"),
            "--domain", str(nlu_data_dir / "domain.yml"), "--nlu", str(data),
            "--model-dir", str(work / "models"), "--texts", str(work / "texts.json"),
        ]  # fmt: skip
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
               "PYTHONWARNINGS": "ignore"}  # fmt: skip
        done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            command, capture_output=True, text=True, env=env, cwd=work,
            timeout=timeout_seconds, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RasaBatchError(done.stderr[-3000:])
        parses = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if len(parses) != len(texts):
        raise RasaBatchError(f"{len(parses)} parses for {len(texts)} texts")
    return parses


def batch_parser(
    nlu_data_dir: Path,
    normalise: Callable[[dict[str, Any], str], dict[str, Any]],
    examples: Sequence[Example],
    config: Path | None = None,
) -> Callable[[list[Example]], Callable[[str], dict[str, Any]]]:
    """A ``fit(train) -> parse`` for :func:`bot.nlu.compare.cross_validate` over ``examples``:
    each fit trains Rasa once on ``train`` and parses the rest, as written and without
    diacritics, in the same process; ``normalise`` is :meth:`RasaNlu.normalise`."""

    def fit(train: list[Example]) -> Callable[[str], dict[str, Any]]:
        taken = set(train)
        held = [e.text for e in examples if e not in taken]
        texts = list(dict.fromkeys([*held, *(strip_diacritics(t) for t in held)]))
        raw = train_and_parse(nlu_data_dir, train, texts, config=config)
        answers = {t: normalise(r, t) for t, r in zip(texts, raw, strict=True)}
        return answers.__getitem__

    return fit
