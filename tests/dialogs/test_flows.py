"""Flow files load, are consistent, and bad ones are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.engine.engine import Engine
from bot.engine.flows import parse_flow
from bot.engine.steps import STEPS

KINDS = set(STEPS)


def test_all_flows_load(engine: Engine) -> None:
    assert set(engine.flows) == {
        "eligibility", "household_change", "disaster", "loans",
        "subscribe", "unsubscribe", "report_status", "handover", "media_note", "privacy",
        "role_code", "officer_ack", "officer_queue", "notice_compose", "notice_progress",
        "safety_answer", "my_data", "erase_data",
    }  # fmt: skip


def test_yes_no_route_keys_survive_yaml_booleans() -> None:
    flow = parse_flow(
        yaml.safe_load(
            "id: f\nsteps:\n- {id: a, kind: yes_no, routes: {yes: b, no: end}}\n"
            "- {id: b, kind: message, text: x}\n"
        ),
        KINDS,
    )
    assert dict(flow.steps["a"].routes) == {"yes": "b", "no": "end"}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("id: f\nsteps: [{id: a, kind: teleport}]", "unknown kind"),
        ("id: f\nsteps: [{id: a, kind: message, next: nowhere}]", "unknown 'nowhere'"),
        ("id: f\nsteps: [{id: a, kind: message}, {id: a, kind: message}]", "duplicate"),
        ("id: Bad-Id\nsteps: [{id: a, kind: message}]", "flow id"),
        ("id: f\nsteps: [{id: this_step_id_is_too_long, kind: message}]", "step id"),
        ("id: f\nsteps: []", "no steps"),
    ],
)
def test_bad_flows_are_refused(body: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_flow(yaml.safe_load(body), KINDS)


def test_engine_refuses_unknown_function_or_text(tmp_path: Path, engine: Engine) -> None:
    (tmp_path / "locales").mkdir()
    for name in ("vi.yml", "en.yml"):
        src = Path(__file__).resolve().parents[2] / "dialogs" / "locales" / name
        (tmp_path / "locales" / name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    flow = tmp_path / "f.yml"
    flow.write_text("id: f\nsteps: [{id: a, kind: message, text: el.intro, getter: nope}]\n")
    with pytest.raises(ValueError, match="no getter function 'nope'"):
        Engine(tmp_path, engine.services)
    flow.write_text("id: f\nsteps: [{id: a, kind: message, text: no.such.text}]\n")
    with pytest.raises(ValueError, match=r"no\.such\.text"):
        Engine(tmp_path, engine.services)


def test_every_payload_fits_telegram(engine: Engine) -> None:
    """<flow>:<step>.<sub>:<value> must stay within 64 bytes for every step."""
    for flow in engine.flows.values():
        for step in flow.steps.values():
            worst = f"{flow.id}:{step.id}.p:unknown"
            assert len(worst.encode("ascii")) <= 64, worst
