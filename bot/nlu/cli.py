"""``banbot nlu parse`` (stdin lines -> parse JSON lines) and ``banbot nlu evaluate``."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from bot.config import Settings, get_settings
from bot.nlu.builtin import BuiltinNlu
from bot.places.gazetteer import Gazetteer
from bot.ports import JSON

_NLU_DATA = click.option(
    "--nlu-data",
    "nlu_data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Rasa project to train from (default: BANBOT_NLU_DATA_DIR).",
)


async def bot_gazetteer(settings: Settings) -> Gazetteer:
    """The gazetteer the bot itself uses: the database's (seed plus officers' imports),
    after the same migration and seeding as ``banbot serve``."""
    from bot.app import prepare_database
    from bot.places.load import load_gazetteer
    from bot.store.repo import Store

    await prepare_database(settings)
    store = Store(settings.database_url)
    try:
        return await load_gazetteer(store)
    finally:
        await store.close()


@click.command("parse")
@_NLU_DATA
def parse_command(nlu_data: Path | None) -> None:
    """Parse each line of standard input with the built-in NLU and print JSON lines.

    Example: ``echo "nha e o ban Na Cang bi ngap" | banbot nlu parse``. Uses the bot's own
    gazetteer (the database's, migrated and seeded as ``banbot serve`` does), so places are
    found as in a conversation. Trains at start (cached in ``var/nlu-cache/``).
    """
    settings = get_settings()
    places = asyncio.run(bot_gazetteer(settings))
    nlu = BuiltinNlu.train(
        nlu_data or settings.nlu_data_dir, places=places, threshold=settings.nlu_threshold
    )
    for line in sys.stdin:
        result = nlu.parse_sync(line.rstrip("\r\n"))
        click.echo(json.dumps(result, ensure_ascii=False))


class _Unavailable:
    """The Rasa client's fallback while evaluating: marks the message instead of answering."""

    async def parse(self, text: str) -> JSON:
        return {"text": text, "intent": {"name": "rasa_unavailable", "confidence": 0.0},
                "entities": [], "intent_ranking": []}  # fmt: skip


@click.command("evaluate")
@_NLU_DATA
@click.option(
    "--backend", type=click.Choice(["builtin", "rasa", "both"]), default="both", show_default=True
)
@click.option("--rasa-url", default=None, help="Use this running Rasa server (no training).")
@click.option(
    "--folds", type=int, default=5, show_default=True,
    help="k-fold cross-validation of the built-in NLU on the training data (0: skip).",
)  # fmt: skip
@click.option(
    "--rasa-folds", type=int, default=0, show_default=True,
    help="k-fold cross-validation of Rasa too (one training per fold, ~3 min each; 0: skip).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def evaluate_command(
    nlu_data: Path | None,
    backend: str,
    rasa_url: str | None,
    folds: int,
    rasa_folds: int,
    as_json: bool,
) -> None:
    """Train on nlu_data/ and score on the dev and the locked test sets of nlu_data/tests/,
    as written and without diacritics, side by side for the built-in NLU and Rasa.

    Intent accuracy, fallback rate, where the bot would go (clarify.route), accuracy per
    category, macro F1, confusions, entity precision / recall / F1 per type (place read with
    the gazetteer of data/places/), parse latency; k-fold cross-validation on the training
    data (--rasa-folds for Rasa as well, same folds and scoring). The locked set's individual
    misses are never printed. Rasa is trained and served through scripts/rasa.sh on a free
    port (needs .venv-rasa) unless --rasa-url names one.
    """
    from bot.engine.routing import intent_flows
    from bot.nlu import compare

    settings = get_settings()
    INTENT_FLOWS = intent_flows(settings.dialogs_dir)
    data_dir = nlu_data or settings.nlu_data_dir
    sets = compare.load_test_sets(data_dir)
    places = Gazetteer.load(settings.data_dir / "places")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:  # a real training, not a cache hit
        builtin = BuiltinNlu.train(
            data_dir, places=places, threshold=settings.nlu_threshold, cache_dir=Path(cache)
        )
    train_seconds = round(time.perf_counter() - started, 2)
    backends: dict[str, dict[str, Any]] = {}
    if backend in ("builtin", "both"):
        info: dict[str, Any] = {"train_seconds": train_seconds, "sets": {}}
        for s in sets:
            reports = compare.measure(builtin.parse_sync, s.examples, intent_flows=INTENT_FLOWS)
            info["sets"][s.name] = {
                k: compare.report_json(r, errors=not s.locked) for k, r in reports.items()
            }
        if folds > 1:
            from bot.nlu.data import load_project

            examples = load_project(data_dir).examples
            fit = lambda train: builtin.retrained(train).parse_sync  # noqa: E731
            info["cross_validation"] = compare.cross_validate(examples, folds, fit)
        backends["builtin"] = info
    if backend in ("rasa", "both"):
        backends["rasa"] = _evaluate_rasa(builtin, sets, rasa_url, settings.nlu_threshold)
        if rasa_folds > 1:
            backends["rasa"]["cross_validation"] = _rasa_folds(
                builtin, data_dir, rasa_folds, settings.nlu_threshold
            )
    result = compare.summary(sets, backends)
    click.echo(
        json.dumps(result, ensure_ascii=False, indent=1) if as_json else compare.table(result)
    )


def _evaluate_rasa(
    builtin: BuiltinNlu, sets: list[Any], url: str | None, threshold: float
) -> dict[str, Any]:
    from bot.engine.routing import intent_flows
    from bot.nlu import compare
    from integrations.rasa.adapter import RasaNlu

    INTENT_FLOWS = intent_flows(get_settings().dialogs_dir)
    from integrations.rasa.server import RasaServer, rasa_available

    server = None
    info: dict[str, Any] = {}
    if url is None:
        if not rasa_available():
            raise click.ClickException("no .venv-rasa: build it with scripts/rasa-venv.sh")
        server = RasaServer().start()
        url = server.url
        info["train_and_start_seconds"] = round(server.seconds, 1)
    client = RasaNlu(url, fallback=_Unavailable(), threshold=threshold,
                     canonical=builtin.entity_value, timeout_seconds=10.0)  # fmt: skip
    info["sets"] = {}
    try:
        with asyncio.Runner() as runner:
            for s in sets:
                parse = lambda t: runner.run(client.parse(t))  # noqa: E731
                reports = compare.measure(parse, s.examples, intent_flows=INTENT_FLOWS)
                info["sets"][s.name] = {
                    k: compare.report_json(r, errors=not s.locked) for k, r in reports.items()
                }
            runner.run(client.aclose())
    finally:
        if server is not None:
            server.stop()
    if client.counters["fallback"]:
        click.echo(f"warning: Rasa failed on {client.counters['fallback']} messages", err=True)
    info["failed_parses"] = client.counters["fallback"]
    return info


def _rasa_folds(builtin: BuiltinNlu, data_dir: Path, k: int, threshold: float) -> dict[str, Any]:
    """Rasa's k-fold cross-validation: the built-in's folds and scoring, Rasa trained per fold
    in one process (integrations/rasa/batch.py), its answers normalised as the bot does."""
    from bot.nlu import compare
    from bot.nlu.data import load_project
    from integrations.rasa.adapter import RasaNlu
    from integrations.rasa.offline import batch_parser
    from integrations.rasa.server import rasa_available

    if not rasa_available():
        raise click.ClickException("no .venv-rasa: build it with scripts/rasa-venv.sh")
    client = RasaNlu("http://unused", fallback=_Unavailable(), threshold=threshold,
                     canonical=builtin.entity_value)  # fmt: skip
    examples = load_project(data_dir).examples
    fit = batch_parser(data_dir, client.normalise, examples)
    return compare.cross_validate(examples, k, fit)
