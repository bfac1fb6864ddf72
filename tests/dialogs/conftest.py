"""Fixtures of the dialog tests. ``engine_services`` is the one switch between the fakes and the
real gazetteer / policy rules (after the merge: ``Gazetteer.load(Path("data/places"))``,
``Policy.load(Path("data/policy"))``; then regenerate the golden files with
``BANBOT_UPDATE_GOLDEN=1`` and review the diff)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.engine.types import EngineServices
from tests.dialogs.fakes import FakePlaces, FakePolicy

DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"


@pytest.fixture(scope="session")
def engine_services() -> EngineServices:
    return EngineServices(places=FakePlaces(), policy=FakePolicy(), flow_timeout_seconds=1800)


@pytest.fixture(scope="session")
def engine(engine_services: EngineServices) -> Engine:
    return Engine(DIALOGS, engine_services)


@pytest.fixture(scope="session")
def real_engine() -> Engine:
    """The engine on the real gazetteer and policy rules: golden transcripts run on this."""
    from bot.places.gazetteer import Gazetteer
    from bot.policy.service import Policy

    root = DIALOGS.parent
    services = EngineServices(
        places=Gazetteer.load(root / "data" / "places"),
        policy=Policy.load(root / "data" / "policy"),
        flow_timeout_seconds=1800,
    )
    return Engine(DIALOGS, services)
