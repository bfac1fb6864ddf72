"""The role-code flow: redeem the code the message is, then say what it granted or why not."""

from __future__ import annotations

from typing import Any

from bot.engine.context import Ctx
from bot.engine.registry import ACTIONS, CONDITIONS, GETTERS
from bot.engine.types import ActionRequest


def role_redeem(ctx: Ctx) -> ActionRequest:
    return ActionRequest("role.redeem", {"code": str(ctx.session.get("prefill", {}).get("text"))})


def _grant(ctx: Ctx) -> dict[str, Any]:
    grant = ctx.slots.get("grant")
    return grant if isinstance(grant, dict) else {}


def role_granted(ctx: Ctx) -> bool:
    return bool(_grant(ctx).get("granted"))


def role_view(ctx: Ctx) -> dict[str, Any]:
    """``role_name`` ("trưởng bản Nam Niệu"), ``reason`` (why a code was refused)."""
    grant = _grant(ctx)
    role = str(grant.get("role") or "resident")
    name = ctx.t(f"role.name.{role}", place=grant.get("place") or "")
    reason = str(grant.get("reason") or "unknown")
    current = str(grant.get("current") or "resident")
    current_name = ctx.t(f"role.name.{current}", place=grant.get("current_place") or "")
    return {
        "role_name": name,
        "reason": ctx.t(f"role.refused.{reason}", current=current_name),
    }


ACTIONS["role_redeem"] = role_redeem
CONDITIONS["role_granted"] = role_granted
GETTERS["role_view"] = role_view
