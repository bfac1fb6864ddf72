"""Backends for the NLU contract tests: the built-in NLU and a real Rasa 3.6 server.

The Rasa server is trained from ``nlu_data/`` (cached by data hash in
``~/.cache/banbot/rasa-models/``) and served on a free port through ``scripts/rasa.sh`` once
per session, then stopped. Without ``.venv-rasa`` the Rasa cases are skipped with a loud line
in the terminal summary; with ``CI=true`` a missing Rasa fails them instead.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.config import ROOT
from bot.nlu.builtin import BuiltinNlu
from bot.places.gazetteer import Gazetteer
from integrations.rasa.adapter import RasaNlu
from integrations.rasa.server import RasaServer, rasa_available, rasa_venv

Parse = Callable[[str], dict[str, Any]]
_MISSING: list[str] = []


def _missing_rasa() -> str:
    return (
        f"no Rasa environment at {rasa_venv()}: the Rasa NLU contract tests did NOT run. "
        "Build it with `bash scripts/rasa-venv.sh` (or set RASA_VENV)."
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _MISSING:
        terminalreporter.write_sep("!", "RASA CONTRACT TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(_MISSING[0], red=True, bold=True)


@pytest.fixture(scope="session")
def builtin_nlu(tmp_path_factory: pytest.TempPathFactory) -> BuiltinNlu:
    places = Gazetteer.load(ROOT / "data" / "places")
    cache = tmp_path_factory.mktemp("nlu-cache")
    return BuiltinNlu.train(ROOT / "nlu_data", places=places, cache_dir=cache)


class _NoFallback:
    """Rasa must answer itself in these tests: a fallback parse fails the test."""

    async def parse(self, text: str) -> dict[str, Any]:
        raise AssertionError(f"Rasa did not answer for {text!r}")


@pytest.fixture(scope="session")
def rasa_server() -> Iterator[RasaServer]:
    if not rasa_available():
        message = _missing_rasa()
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {message}", pytrace=False)
        _MISSING.append(message)
        pytest.skip(message)
    server = RasaServer(timeout_seconds=900).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def rasa_parse(rasa_server: RasaServer, builtin_nlu: BuiltinNlu) -> Iterator[Parse]:
    client = RasaNlu(
        rasa_server.url,
        fallback=_NoFallback(),
        threshold=0.55,
        timeout_seconds=10.0,
        canonical=builtin_nlu.entity_value,
    )
    with asyncio.Runner() as runner:
        yield lambda text: runner.run(client.parse(text))
        runner.run(client.aclose())


@pytest.fixture(params=["builtin", "rasa"], scope="session")
def backend(request: pytest.FixtureRequest) -> tuple[str, Parse]:
    """(name, parse) for each backend; the Rasa one starts the server on first use."""
    if request.param == "builtin":
        nlu: BuiltinNlu = request.getfixturevalue("builtin_nlu")
        return "builtin", nlu.parse_sync
    return "rasa", request.getfixturevalue("rasa_parse")
