"""``bot.app.build_nlu`` picks Rasa only when configured; nothing Rasa loads at import time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.app import build_nlu
from bot.config import ROOT
from bot.nlu.builtin import BuiltinNlu
from bot.places.gazetteer import Gazetteer
from integrations.rasa.adapter import RasaNlu
from tests.conftest import make_settings


def test_rasa_setting_wraps_the_builtin(tmp_path: Path, gazetteer: Gazetteer) -> None:
    settings = make_settings(tmp_path, nlu="rasa", rasa_url="http://127.0.0.1:5999/")
    nlu = build_nlu(settings, gazetteer)
    assert isinstance(nlu, RasaNlu)
    assert nlu.url == "http://127.0.0.1:5999/model/parse"
    assert isinstance(nlu.fallback, BuiltinNlu)
    assert nlu.threshold == settings.nlu_threshold


def test_builtin_setting_is_the_builtin(tmp_path: Path, gazetteer: Gazetteer) -> None:
    assert isinstance(build_nlu(make_settings(tmp_path), gazetteer), BuiltinNlu)


def test_importing_the_app_loads_no_rasa_client() -> None:
    code = "import sys, bot.app, bot.cli; print('integrations.rasa.adapter' in sys.modules)"
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed snippet
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
