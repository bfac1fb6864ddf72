"""Fixtures for the Rasa adapter tests: the built-in NLU (fallback and entity reader)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ROOT
from bot.nlu.builtin import BuiltinNlu
from bot.places.gazetteer import Gazetteer


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(ROOT / "data" / "places")


@pytest.fixture(scope="session")
def builtin(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> BuiltinNlu:
    cache: Path = tmp_path_factory.mktemp("nlu-cache")
    return BuiltinNlu.train(ROOT / "nlu_data", places=gazetteer, cache_dir=cache)
