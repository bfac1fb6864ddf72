"""A bot on Rasa while its Rasa server stops answering: the built-in NLU answers every message
in the meantime, and Rasa is used again once it is back (a real Rasa process, frozen with
SIGSTOP and thawed with SIGCONT, so the other contract tests keep their server)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from bot.app import build_app
from bot.config import ROOT
from bot.domain.messages import Inbound
from integrations.rasa.adapter import RasaNlu
from integrations.rasa.server import RasaServer
from tests.conftest import make_settings


async def test_the_builtin_nlu_answers_while_rasa_is_stopped(
    rasa_server: RasaServer, tmp_path: Path
) -> None:
    pid = int((ROOT / "var" / f"rasa-{rasa_server.port}.pid").read_text())
    app = await build_app(make_settings(tmp_path, nlu="rasa", rasa_url=rasa_server.url))
    try:
        nlu = app.nlu
        assert isinstance(nlu, RasaNlu)
        first = await app.pipeline.handle(
            Inbound("sim", "sim:an", "m1", text="em muon vay von cho con di hoc")
        )
        assert first.replies and nlu.counters["ok"] == 1
        os.kill(pid, signal.SIGSTOP)
        try:
            frozen = await app.pipeline.handle(
                Inbound("sim", "sim:binh", "m2", text="nha em o ban nam nieu bi ngap")
            )
        finally:
            os.kill(pid, signal.SIGCONT)
        # answered all the same: the flood journey's first question, from the built-in parse
        assert nlu.counters["fallback"] == 1 and nlu.counters["ok"] == 1
        assert any("nguy hiểm" in r.text for r in frozen.replies)
        back = await app.pipeline.handle(
            Inbound("sim", "sim:chi", "m3", text="em muon vay von cho con di hoc")
        )
        assert back.replies and nlu.counters["ok"] == 2  # Rasa again
    finally:
        await app.aclose()
