"""Every golden transcript replays exactly; every registered step kind is exercised by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.engine.steps import STEPS
from tests.dialogs.golden import UPDATE, replay, transcripts

FLOWS = ("eligibility", "household_change", "disaster", "loans", "report_status", "handover")


@pytest.mark.parametrize("path", transcripts(), ids=lambda p: p.stem)
def test_transcript_replays(real_engine: Engine, path: Path) -> None:
    _, pairs = replay(real_engine, path)
    if UPDATE:
        return  # the file was just rewritten from the current behaviour; review the diff
    for i, (expected, actual) in enumerate(pairs, 1):
        assert actual == expected, f"{path.name}: turn {i} differs"


def test_every_step_kind_has_a_transcript(real_engine: Engine) -> None:
    seen: set[str] = set()
    for path in transcripts():
        client, _ = replay(real_engine, path)
        seen |= client.kinds_seen
    assert set(STEPS) - seen == set()


def test_every_journey_has_transcripts() -> None:
    names = {p.stem.split(".")[0] for p in transcripts()}
    assert set(FLOWS) <= names
