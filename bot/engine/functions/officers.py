"""Officers' own flows in chat: take a report (``NHAN TT-…``), see the commune's open ones."""

from __future__ import annotations

from typing import Any

from bot.engine.context import Ctx
from bot.engine.registry import ACTIONS, GETTERS
from bot.engine.routing import ack_ref
from bot.engine.types import ActionRequest

QUEUE_SHOWN = 5


def report_ack(ctx: Ctx) -> ActionRequest:
    text = str(ctx.session.get("prefill", {}).get("text") or "")
    return ActionRequest("report.acknowledge", {"ref": ack_ref(text) or ""})


def ack_view(ctx: Ctx) -> dict[str, Any]:
    """``result``: the sentence for what happened (taken, already taken by someone, unknown)."""
    ack = ctx.slots.get("ack") or {}
    reason = str(ack.get("reason") or "") if not ack.get("ok") else ""
    key = f"ack.{reason}" if reason else "ack.ok"
    told = "" if ack.get("resident_told", True) else " " + ctx.t("ack.not_told")
    by = str(ack.get("by") or ctx.t("ack.someone"))
    return {"result": ctx.t(key, ref=ack.get("ref") or "", by=by) + told}


def officer_queue(ctx: Ctx) -> ActionRequest:
    return ActionRequest("officer.queue", {"limit": QUEUE_SHOWN})


def queue_view(ctx: Ctx) -> dict[str, Any]:
    queue = ctx.slots.get("queue") or {}
    items = list(queue.get("reports") or [])
    if not items:
        return {"lines": ctx.t("oq.empty")}
    lines = []
    for r in items:
        what = ctx.t(f"oq.kind.{r['type']}")
        if r.get("hazard"):
            what = ctx.t(f"ds.hazard.{r['hazard']}")
        mark = ctx.t("oq.urgent") if r.get("flagged") else ""
        lines.append(
            ctx.t("oq.line", mark=mark, ref=r["ref"], what=what, place=r.get("place") or "?",
                  status=ctx.t(f"rs.status.{r['status']}"), minutes=r.get("minutes", 0))
        )  # fmt: skip
    more = int(queue.get("total") or 0) - len(items)
    if more > 0:
        lines.append(ctx.t("oq.more", n=more))
    lines.append(ctx.t("oq.hint"))
    return {"lines": "\n".join(lines)}


ACTIONS.update(report_ack=report_ack, officer_queue=officer_queue)
GETTERS.update(ack_view=ack_view, queue_view=queue_view)
