"""``banbot nlu parse`` (the bot's own gazetteer, JSON lines) and ``banbot nlu evaluate``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.app import prepare_database
from bot.domain.places import Village
from bot.nlu import builtin, cli
from bot.places.loader import village_id
from bot.store.repo import Store
from tests.conftest import make_settings

from .conftest import NLU_DATA

MU_CA = "03451"


async def _import_village(settings: object, name: str) -> None:
    """What an officer's CSV import does: a village the seed files do not have."""
    await prepare_database(settings)  # type: ignore[arg-type]
    store = Store(settings.database_url)  # type: ignore[attr-defined]
    try:
        village = Village(village_id(MU_CA, name), name, f"bản {name}", "ban", MU_CA, "P")
        async with store.transaction() as tx:
            await tx.places.upsert_villages([village], source="test.csv")
    finally:
        await store.close()


def test_parse_uses_the_bots_gazetteer_and_writes_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path, nlu_data_dir=NLU_DATA)
    asyncio.run(_import_village(settings, "Nậm Sì Lường"))
    monkeypatch.setattr(builtin, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    lines_in = [
        "nha e o ban Na Cang bi ngap",  # a seed village
        "",
        "bản Nậm Sì Lường ngập rồi",  # only in the database: imported by an officer
        "thu nhập 1.200.000 đồng một tháng có được xét hộ nghèo không",
    ]
    result = CliRunner().invoke(cli.parse_command, [], input="\n".join(lines_in) + "\n")
    assert result.exit_code == 0, result.output
    parsed = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["text"] for p in parsed] == lines_in
    assert "bản Nậm Sì Lường" in result.output  # ensure_ascii=False
    places = [[e["value"] for e in p["entities"] if e["entity"] == "place"] for p in parsed]
    assert places[:3] == [["bản Nà Cang"], [], ["bản Nậm Sì Lường"]]
    assert parsed[1]["intent"]["name"] == "nlu_fallback"
    amounts = [e["value"] for e in parsed[3]["entities"] if e["entity"] == "amount"]
    assert amounts == [1_200_000]  # "một tháng" after the currency is not part of it
    assert list((tmp_path / "cache").glob("intent-*.pkl"))


def test_parse_command_is_named_parse() -> None:
    assert cli.parse_command.name == "parse"


@pytest.fixture(scope="module")
def evaluation() -> dict:  # type: ignore[type-arg]
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "get_settings", lambda: make_settings(Path("/nonexistent")))
        args = ["--backend", "builtin", "--folds", "3", "--json"]
        result = runner.invoke(cli.evaluate_command, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_evaluate_reports_both_sets_both_spellings_and_cross_validation(
    evaluation: dict,  # type: ignore[type-arg]
) -> None:
    assert set(evaluation["test_sets"]) == {"dev", "locked"}
    for info in evaluation["test_sets"].values():
        assert info["messages"] >= 350 and info["seen_in_training"] == 0
        assert len(info["sha256"]) == 64
    sets = evaluation["backends"]["builtin"]["sets"]
    assert set(sets) == {"dev", "locked"}
    for per_set in sets.values():
        assert set(per_set) == {"diacritics", "no_diacritics"}
        report = per_set["diacritics"]
        assert 0 <= report["fallback_rate"] <= 1 - report["intent_accuracy"] + 1e-4
        assert set(report["journeys"]) == {"started", "offered", "wrong", "menu"}
        assert sum(report["journeys"].values()) == pytest.approx(1.0, abs=1e-3)
        assert report["per_entity"]["place"]["n"] >= 10  # the gazetteer was used
        assert len(report["per_intent"]) == 14
    cv = evaluation["backends"]["builtin"]["cross_validation"]
    assert cv["folds"] == 3 and len(cv["diacritics"]["per_fold_accuracy"]) == 3


def test_evaluate_never_shows_the_locked_sets_misses(evaluation: dict) -> None:  # type: ignore[type-arg]
    sets = evaluation["backends"]["builtin"]["sets"]
    assert "errors" in sets["dev"]["diacritics"]
    assert all("errors" not in report for report in sets["locked"].values())
    categories = sets["locked"]["diacritics"]["per_category"]
    assert {"eligibility_words", "disaster_effects", "loan_vbsp", "ordinary"} <= set(categories)


def test_evaluate_command_prints_a_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(Path("/nonexistent")))
    result = CliRunner().invoke(cli.evaluate_command, ["--backend", "builtin", "--folds", "0"])
    assert result.exit_code == 0, result.output
    assert "[dev]" in result.output and "[locked]" in result.output
    assert "fallback rate" in result.output and "accuracy per category" in result.output
    assert "cross-validation" not in result.output
