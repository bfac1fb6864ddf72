"""Fixtures: the real urgency rules in ``data/urgency.yml``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.reports.urgency import UrgencyRules, load_urgency_rules

URGENCY_YML = Path(__file__).resolve().parents[2] / "data" / "urgency.yml"


@pytest.fixture(scope="session")
def urgency_yml() -> Path:
    return URGENCY_YML


@pytest.fixture(scope="session")
def rules() -> UrgencyRules:
    return load_urgency_rules(URGENCY_YML)
