"""``banbot nlu parse``: one message per stdin line in, one Rasa parse JSON per line out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.config import get_settings
from bot.nlu.builtin import BuiltinNlu


@click.command("parse")
@click.option(
    "--nlu-data",
    "nlu_data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Rasa project to train from (default: BANBOT_NLU_DATA_DIR).",
)
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
