"""One set of parse expectations (expectations.yml) for every NLU backend, as the bot uses it.

Each case runs as written and typed without diacritics against the built-in NLU and against a
real Rasa 3.6.21 server (HTTP ``/model/parse`` through ``RasaNlu``, entities normalised the
same way). Intents must match exactly for both and every listed entity must be found with its
value. Looser for Rasa, on purpose and only where a case says ``rasa_loose`` (with the reason
in expectations.yml): DIET learns entity spans from ~700 examples, while the built-in
extractors read the lookup tables and the gazetteer directly, and plain "bao"/"sap" are
ambiguous words DIET cannot resolve without diacritics. A loose intent must still be among
Rasa's three best.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.textnorm import strip_diacritics
from tests.nlu_contract.conftest import Parse

# one Rasa server per test process: under pytest-xdist (--dist loadgroup) one worker runs them all
pytestmark = pytest.mark.xdist_group("rasa")

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "expectations.yml").read_text(encoding="utf-8")
)["cases"]
TYPES = (
    "place", "hazard", "change_type", "topic", "loan_program", "amount", "people_count",
    "report_ref",
)  # fmt: skip


def _ids() -> list[Any]:
    params = []
    for i, case in enumerate(CASES):
        for plain in (False, True):
            text = strip_diacritics(case["text"]) if plain else case["text"]
            params.append(pytest.param(case, text, id=f"{i:02d}-{'plain' if plain else 'vi'}"))
    return params


def test_cases_cover_every_intent_and_entity() -> None:
    assert len(CASES) >= 30
    assert len({c["intent"] for c in CASES}) == 14
    assert {t for c in CASES for t in c["entities"]} == set(TYPES)


@pytest.mark.parametrize(("case", "text"), _ids())
def test_parse(backend: tuple[str, Parse], case: dict[str, Any], text: str) -> None:
    name, parse = backend
    result = parse(text)
    assert result["text"] == text
    loose = set(case.get("rasa_loose") or ()) if name == "rasa" else set()
    ranked = [r["name"] for r in result["intent_ranking"] if r["name"] != "nlu_fallback"]
    if "intent" in loose:
        assert case["intent"] in ranked[:3], (name, result["intent_ranking"][:4])
    else:
        assert result["intent"]["name"] == case["intent"], (name, result["intent_ranking"][:3])
    found = {e["entity"]: e["value"] for e in result["entities"]}
    for entity in result["entities"]:
        assert text[entity["start"] : entity["end"]], entity  # spans point into the text
    for entity, value in case["entities"].items():
        if entity in loose:
            continue
        assert found.get(entity) == value, (name, entity, result["entities"])
