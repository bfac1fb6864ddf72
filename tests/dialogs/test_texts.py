"""The vi / en catalogues: same keys, same placeholders, every key the engine uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.engine.checks import used_text_keys
from bot.engine.engine import Engine
from bot.engine.texts import Catalog
from tests.dialogs.conftest import DIALOGS

ENGINE_SRC = Path(__file__).resolve().parents[2] / "bot" / "engine"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(DIALOGS / "locales")


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_vi_and_en_have_the_same_keys(catalog: Catalog) -> None:
    assert catalog.keys("vi") == catalog.keys("en")


def test_vi_and_en_use_the_same_placeholders(catalog: Catalog) -> None:
    for key in catalog.keys("vi"):
        vi = catalog._texts["vi"][key]
        en = catalog._texts["en"][key]
        assert _fields(vi) == _fields(en), key


def test_every_key_the_flows_and_step_kinds_use_exists(engine: Engine, catalog: Catalog) -> None:
    missing = {k for k in used_text_keys(engine.flows) if not catalog.has(k)}
    assert missing == set()


def test_every_key_named_in_engine_code_exists(catalog: Catalog) -> None:
    used = set()
    for path in ENGINE_SRC.rglob("*.py"):
        used |= set(re.findall(r"\.t\(\s*\"([a-z0-9_.]+)\"", path.read_text(encoding="utf-8")))
    assert len(used) > 20  # the scan itself works
    assert {k for k in used if not catalog.has(k)} == set()


def test_sms_variant_wins_on_sms_only(catalog: Catalog) -> None:
    assert "gõ số" in catalog.text("vi", "menu.prompt", "sms").lower()
    assert catalog.text("vi", "menu.prompt", "telegram") == catalog.text("vi", "menu.prompt")


def test_unknown_language_falls_back_to_vietnamese(catalog: Catalog) -> None:
    assert catalog.text("hmn", "yn.yes") == "Có"


def test_missing_key_or_placeholder_fails_loudly(catalog: Catalog) -> None:
    with pytest.raises(KeyError):
        catalog.text("vi", "no.such.key")
    with pytest.raises(KeyError):
        catalog.text("vi", "retry.range", min=1)  # {max} missing


def test_resident_texts_are_polite_vietnamese(catalog: Catalog) -> None:
    questions = [k for k in catalog.keys("vi") if ".ask_" in k and not k.endswith(".sms")]
    assert questions
    for key in questions:
        assert "ạ" in catalog._texts["vi"][key] or "Ví dụ" in catalog._texts["vi"][key], key
