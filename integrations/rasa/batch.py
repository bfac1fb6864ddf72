"""Train a Rasa NLU model and parse a batch of texts in one process, without a server.

Run by :mod:`integrations.rasa.offline` with the Rasa environment's Python (``.venv-rasa``),
never imported by the bot: it is how ``banbot nlu evaluate --rasa-folds`` cross-validates Rasa
(one training per fold) and how a candidate pipeline is compared on the dev set. The parses
are the same ``/model/parse`` JSON the server answers (Rasa's own ``Agent.parse_message``).

    .venv-rasa/bin/python integrations/rasa/batch.py --config C --domain D --nlu DIR \\
        --model-dir M --texts texts.json > parses.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any


def train(config: Path, domain: Path, nlu: Path, model_dir: Path) -> Path:
    """``rasa train nlu``; returns the model file."""
    from rasa.model_training import train_nlu  # type: ignore[import-not-found]

    model = train_nlu(
        config=str(config), nlu_data=str(nlu), output=str(model_dir), domain=str(domain),
        fixed_model_name="batch",
    )  # fmt: skip
    if not model:
        raise SystemExit("rasa training produced no model")
    return Path(model)


async def parse_all(model: Path, texts: list[str]) -> list[Any]:
    from rasa.core.agent import Agent  # type: ignore[import-not-found]

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("--config", "--domain", "--nlu", "--model-dir", "--texts"):
        parser.add_argument(name, type=Path, required=True)
    args = parser.parse_args()
    texts = json.loads(args.texts.read_text(encoding="utf-8"))
    model = train(args.config, args.domain, args.nlu, args.model_dir)
    for parse in asyncio.run(parse_all(model, texts)):
        parse.pop("text_tokens", None)
        sys.stdout.write(json.dumps(parse, ensure_ascii=False, default=float) + "\n")


if __name__ == "__main__":
    main()
