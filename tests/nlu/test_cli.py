"""``banbot nlu parse``: JSON lines out for lines in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.config import Settings
from bot.nlu import builtin, cli

from .conftest import NLU_DATA


def test_parse_command_writes_one_json_object_per_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builtin, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(nlu_data_dir=NLU_DATA))
    result = CliRunner().invoke(cli.parse_command, [], input="nhà em bị ngập\n\nvay ho ngheo\n")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 3
    first, empty, third = (json.loads(line) for line in lines)
    assert first["text"] == "nhà em bị ngập"
    assert "nhà em bị ngập" in lines[0]  # ensure_ascii=False
    assert first["intent"]["name"] == "report_disaster"
    assert empty["intent"]["name"] == "nlu_fallback"
    assert third["intent"]["name"] == "ask_loan_programs"
    assert list((tmp_path / "cache").glob("intent-*.pkl"))


def test_parse_command_is_named_parse() -> None:
    assert cli.parse_command.name == "parse"
