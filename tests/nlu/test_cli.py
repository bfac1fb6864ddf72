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


def test_evaluate_command_builtin_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(nlu_data_dir=NLU_DATA))
    result = CliRunner().invoke(cli.evaluate_command, ["--backend", "builtin", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["messages"] >= 300 and report["seen_in_training"] == 0
    assert set(report["backends"]) == {"builtin"}
    sets = report["backends"]["builtin"]["sets"]
    assert set(sets) == {"diacritics", "no_diacritics"}
    assert sets["diacritics"]["intent_accuracy"] >= 0.95
    assert sets["no_diacritics"]["intent_accuracy"] >= 0.93
    assert sets["diacritics"]["per_entity"]["place"]["n"] >= 10  # the gazetteer was used
    assert len(sets["diacritics"]["per_intent"]) == 14


def test_evaluate_command_prints_a_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(nlu_data_dir=NLU_DATA))
    result = CliRunner().invoke(cli.evaluate_command, ["--backend", "builtin"])
    assert result.exit_code == 0, result.output
    assert "builtin  diacritics" in result.output and "builtin  no_diacritics" in result.output
    assert "Confusions" in result.output
