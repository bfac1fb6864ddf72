"""Fixtures: the real policy data, and an editable copy of it for bad-data tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.policy import Policy

POLICY_DIR = Path(__file__).resolve().parents[2] / "data" / "policy"


@pytest.fixture(scope="session")
def policy_dir() -> Path:
    """The real ``data/policy`` folder of this checkout."""
    return POLICY_DIR


@pytest.fixture(scope="session")
def policy() -> Policy:
    return Policy.load(POLICY_DIR)


Editor = Callable[[str, Callable[[Any], None]], Path]


@pytest.fixture
def edited(tmp_path: Path) -> Editor:
    """``edited("standards.yml", change)`` copies the real data, applies ``change`` to the
    parsed file in place, writes it back and returns the copied folder."""
    folder = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, folder)

    def edit(name: str, change: Callable[[Any], None]) -> Path:
        path = folder / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return folder

    return edit
