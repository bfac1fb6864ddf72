"""Fixtures for the places tests: the real gazetteer and the raw seed rows as oracles."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.places import Gazetteer

PLACES_DIR = Path(__file__).resolve().parents[2] / "data" / "places"


def read_rows(name: str) -> list[dict[str, str]]:
    with (PLACES_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def gz() -> Gazetteer:
    return Gazetteer.load(PLACES_DIR)


@pytest.fixture(scope="session")
def commune_rows() -> list[dict[str, str]]:
    return read_rows("communes.csv")


@pytest.fixture(scope="session")
def predecessor_rows() -> list[dict[str, str]]:
    return read_rows("commune_predecessors.csv")


@pytest.fixture(scope="session")
def village_rows() -> list[dict[str, str]]:
    return read_rows("villages.csv") + read_rows("villages_other.csv")
