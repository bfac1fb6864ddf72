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

from bot.config import get_settings
from bot.nlu.builtin import BuiltinNlu
from bot.ports import JSON

_NLU_DATA = click.option(
    "--nlu-data",
    "nlu_data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Rasa project to train from (default: BANBOT_NLU_DATA_DIR).",
)


@click.command("parse")
@_NLU_DATA
def parse_command(nlu_data: Path | None) -> None:
    """Parse each line of standard input with the built-in NLU and print JSON lines.

    Example: ``echo "nha e bi ngap" | banbot nlu parse``. Trains at start (cached in
    ``var/nlu-cache/``).
    """
    settings = get_settings()
    nlu = BuiltinNlu.train(nlu_data or settings.nlu_data_dir, threshold=settings.nlu_threshold)
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
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def evaluate_command(
    nlu_data: Path | None, backend: str, rasa_url: str | None, as_json: bool
) -> None:
    """Train on nlu_data/ and score on nlu_data/tests/ (held out) and a diacritic-free copy.

    Intent accuracy, macro F1, per-intent confusions, entity precision / recall / F1 (place
    included, read with the gazetteer of data/places/). Rasa is trained and served through
    scripts/rasa.sh on a free port (needs .venv-rasa) unless --rasa-url names a server.
    """
    from bot.nlu import compare
    from bot.places.gazetteer import Gazetteer

    settings = get_settings()
    data_dir = nlu_data or settings.nlu_data_dir
    files, examples, overlap = compare.held_out(data_dir)
    places = Gazetteer.load(settings.data_dir / "places")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:  # a real training, not a cache hit
        builtin = BuiltinNlu.train(
            data_dir, places=places, threshold=settings.nlu_threshold, cache_dir=Path(cache)
        )
    backends: dict[str, dict[str, Any]] = {}
    if backend in ("builtin", "both"):
        reports = compare.measure(builtin.parse_sync, examples)
        backends["builtin"] = {
            "train_seconds": round(time.perf_counter() - started, 2),
            "sets": {k: compare.report_json(r) for k, r in reports.items()},
        }
    if backend in ("rasa", "both"):
        backends["rasa"] = _evaluate_rasa(builtin, examples, rasa_url, settings.nlu_threshold)
    result = compare.summary(files, len(examples), overlap, backends)
    click.echo(
        json.dumps(result, ensure_ascii=False, indent=1) if as_json else compare.table(result)
    )


def _evaluate_rasa(
    builtin: BuiltinNlu, examples: list[Any], url: str | None, threshold: float
) -> dict[str, Any]:
    from bot.nlu import compare
    from integrations.rasa.adapter import RasaNlu
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
    try:
        with asyncio.Runner() as runner:
            reports = compare.measure(lambda t: runner.run(client.parse(t)), examples)
            runner.run(client.aclose())
    finally:
        if server is not None:
            server.stop()
    if client.counters["fallback"]:
        click.echo(f"warning: Rasa failed on {client.counters['fallback']} messages", err=True)
    info["failed_parses"] = client.counters["fallback"]
    return {**info, "sets": {k: compare.report_json(r) for k, r in reports.items()}}
