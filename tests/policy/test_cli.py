"""``banbot policy classify`` over stdin: one JSON line out per line in, errors inline."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.config import get_settings
from bot.policy.cli import classify_command

GOOD = {"area": "rural", "income": 1_500_000, "deprived": ["water", "latrine", "telecom"]}


def _run(lines: list[str], *args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(classify_command, list(args), input="\n".join(lines) + "\n")
    return result.exit_code, [json.loads(out) for out in result.output.splitlines()]


def _line(**fields: object) -> str:
    return json.dumps(fields)


def test_good_and_bad_lines(policy_dir: Path) -> None:
    lines = [
        _line(**GOOD, date="2026-12-31"),
        "",
        "{not json",
        _line(area="urban", income=True, date="2026-01-01"),
        _line(area="urban", income="2000000"),
        _line(area="rural", income=1, deprived=["wifi"], date="2026-01-01"),
        _line(area="rural", income=1, date="2026-02-30"),
        _line(area="rural", income=1, date="31/12/2026"),
        _line(area="rural", income=1, date="2031-01-01"),
        "[1, 2]",
        "   ",
        _line(**GOOD, date="2027-01-01"),
        _line(area="urban", income=2_000_001, date="2026-06-01"),
    ]
    code, out = _run(lines, "--policy-dir", str(policy_dir))
    assert code == 0
    assert len(out) == 11  # blank lines skipped
    assert out[0] == {
        "class": "poor",
        "standard": "nd07_2021",
        "income_line": 1_500_000,
        "deprivations": 3,
    }
    assert "invalid JSON" in out[1]["error"]
    assert "income" in out[2]["error"] and "True" in out[2]["error"]
    assert "income" in out[3]["error"]
    assert "'wifi'" in out[4]["error"]
    assert "day is out of range" in out[5]["error"]
    assert "YYYY-MM-DD" in out[6]["error"]
    assert "2031-01-01" in out[7]["error"]
    assert "object" in out[8]["error"]
    assert out[9] == {
        "class": "poor",
        "standard": "nd351_2025",
        "income_line": 2_200_000,
        "deprivations": 3,
    }
    assert out[10]["class"] == "average"


def test_date_defaults_to_today_in_vietnam(
    policy_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANBOT_DATA_DIR", str(policy_dir.parent))
    get_settings.cache_clear()
    try:
        code, out = _run([_line(area="rural", income=0)])
    finally:
        get_settings.cache_clear()
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    standard, line = ("nd07_2021", 1_500_000) if today.year <= 2026 else ("nd351_2025", 2_200_000)
    assert code == 0
    assert out == [
        {"class": "near_poor", "standard": standard, "income_line": line, "deprivations": 0}
    ]


def test_bad_data_dir_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(classify_command, ["--policy-dir", str(tmp_path)], input="")
    assert result.exit_code == 1
    assert "standards.yml: cannot read" in result.output
