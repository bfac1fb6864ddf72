"""The workspace settings: every variable is in .env.example, and the workflow data is whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.config import Settings, WorkspaceSettings
from bot.policy.loader import PolicyDataError
from bot.web.workspace.workflow import load_workflow

ROOT = Path(__file__).resolve().parents[2]


def _names(model: type[BaseModel], prefix: str) -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out += _names(kind, f"{prefix}{name.upper()}__")
        else:
            out.append(f"{prefix}{name.upper()}")
    return out


def test_every_workspace_variable_is_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = _names(WorkspaceSettings, "BANBOT_WORKSPACE__")
    assert len(names) > 20
    assert [n for n in names if f"{n}=" not in example] == []


def test_sla_minutes_override_one_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANBOT_WORKSPACE__SLA_ACKNOWLEDGE_MINUTES__DISASTER", "15")
    cfg = Settings().workspace
    assert cfg.sla_acknowledge_minutes.of("disaster") == 15
    assert cfg.sla_acknowledge_minutes.of("handover") == 240  # the others keep their default
    with pytest.raises(KeyError):
        cfg.sla_acknowledge_minutes.of("nonsense")


def test_the_shipped_workflow_loads_and_a_broken_one_is_refused(tmp_path: Path) -> None:
    wf = load_workflow(ROOT / "data" / "workspace.yml")
    assert wf.can_move("new", "acknowledged") and not wf.can_move("new", "resolved")
    assert wf.needs_reason("rejected") and wf.tells_resident("acknowledged")
    assert not wf.role("head").act and wf.role("officer").see == "commune"
    broken = tmp_path / "workspace.yml"
    text = (ROOT / "data" / "workspace.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("next: [in_progress], tell", "next: [closed], tell"))
    with pytest.raises(PolicyDataError, match="statuses"):
        load_workflow(broken)
