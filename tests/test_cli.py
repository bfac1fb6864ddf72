"""The ``banbot`` command line, run in-process with click's runner on a temporary database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli import main
from bot.config import get_settings
from bot.store.models import CommuneRow, VillageRow


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("BANBOT_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def count(url: str, model: type) -> int:
    async def run() -> int:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            value = (await conn.execute(select(func.count()).select_from(model))).scalar_one()
        await engine.dispose()
        return int(value)

    return asyncio.run(run())


def test_db_upgrade_migrates_and_loads_the_gazetteer(db_url: str) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert count(db_url, CommuneRow) == 205
    seeded = count(db_url, VillageRow)
    assert seeded > 100
    again = CliRunner().invoke(main, ["db", "upgrade"])  # idempotent
    assert again.exit_code == 0 and count(db_url, VillageRow) == seeded


def test_places_import_adds_villages_and_refuses_a_bad_file(db_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "province,commune,village,village_type\n"
        "Sơn La,phường Chiềng An,Co Pục,ban\n"
        "Sơn La,phường Chiềng An,Nam Niệu,ban\n",  # already known
        encoding="utf-8",
    )
    runner = CliRunner()
    dry = runner.invoke(main, ["places", "import", str(good), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    before = count(db_url, VillageRow)
    done = runner.invoke(main, ["places", "import", str(good)])
    assert done.exit_code == 0, done.output
    assert count(db_url, VillageRow) == before + 1
    assert "1" in done.output

    bad = tmp_path / "bad.csv"
    bad.write_text("province,commune,village\nSơn La,xã Không Có,Bản A\n", encoding="utf-8")
    refused = runner.invoke(main, ["places", "import", str(bad)])
    assert refused.exit_code == 1
    assert "dòng 2" in refused.output
    assert count(db_url, VillageRow) == before + 1


def test_policy_classify_through_the_main_command() -> None:
    good = {"area": "rural", "income": 1500000, "deprived": ["water", "latrine", "telecom"]}
    lines = json.dumps({**good, "date": "2026-06-01"}) + "\nnot json\n"
    result = CliRunner().invoke(main, ["policy", "classify"], input=lines)
    assert result.exit_code == 0, result.output
    first, second = (json.loads(x) for x in result.output.strip().splitlines())
    assert first == {
        "class": "poor",
        "standard": "nd07_2021",
        "income_line": 1_500_000,
        "deprivations": 3,
    }
    assert "error" in second


def test_nlu_parse_through_the_main_command() -> None:
    result = CliRunner().invoke(main, ["nlu", "parse"], input="nha em bi ngap\n\n")
    assert result.exit_code == 0, result.output
    parsed = [json.loads(x) for x in result.stdout.strip().splitlines()]  # logs: stderr
    assert parsed[0]["intent"]["name"] == "report_disaster"
    assert {"entity": "hazard", "value": "flood"}.items() <= parsed[0]["entities"][0].items()
