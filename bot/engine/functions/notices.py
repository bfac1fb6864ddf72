"""Notices in chat: composing one (heads, officers), its progress, answering a warning."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.engine.context import Ctx
from bot.engine.registry import ACTIONS, CONDITIONS, GETTERS, OPTIONS, VALIDATORS
from bot.engine.routing import safety_answer as read_safety
from bot.engine.types import ActionRequest
from bot.notices.when import parse_when
from bot.notices.words import audience

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _draft(ctx: Ctx) -> dict[str, Any]:
    s = ctx.slots
    return {
        "text": s.get("text") or "", "topic": s.get("topic"), "where": s.get("where") or "",
        "ask_safety": s.get("safety") == "yes" or s.get("safety") is True,
        "at": s.get("at"), "unaccented": ctx.rendering == "sms" and ctx.session.get("plain"),
    }  # fmt: skip


def notice_places(ctx: Ctx) -> list[tuple[str, str]]:
    """An officer: the whole commune, or one village of it."""
    places = ctx.services.places
    commune_code = _commune_of(ctx)
    commune = places.commune(commune_code) if commune_code else None
    if commune is None:
        return []
    first = [("commune", ctx.t("nc.whole_commune", place=commune.display_name))]
    return first + [(v.id, v.display_name) for v in places.villages_of(commune.code)]


def _commune_of(ctx: Ctx) -> str | None:
    return ctx.inp.contact.role_commune


def notice_time(ctx: Ctx, text: str) -> str | None:
    when = parse_when(text, ctx.inp.now, ZONE)
    return when.isoformat() if when else None


def notice_preview(ctx: Ctx) -> ActionRequest:
    return ActionRequest("notice.preview", _draft(ctx))


def notice_create(ctx: Ctx) -> ActionRequest:
    return ActionRequest("notice.create", _draft(ctx))


def notice_progress(ctx: Ctx) -> ActionRequest:
    return ActionRequest("notice.progress", {})


def safety_answer(ctx: Ctx) -> ActionRequest:
    prefill = ctx.session.get("prefill") or {}
    answer = prefill.get("answer") or read_safety(str(prefill.get("text") or "")) or "safe"
    return ActionRequest("notice.answer", {"notice": prefill.get("notice"), "answer": answer})


def _preview(ctx: Ctx) -> dict[str, Any]:
    found = ctx.slots.get("preview")
    return found if isinstance(found, dict) else {}


def notice_preview_view(ctx: Ctx) -> dict[str, Any]:
    p = _preview(ctx)
    if not p.get("ok"):
        return {"audience": "", "reason": str(p.get("reason") or "")}
    return {"audience": audience(ctx.t, p, str(p.get("where") or "")), "reason": ""}


def notice_confirm_view(ctx: Ctx) -> dict[str, Any]:
    at = ctx.slots.get("at")
    when = ctx.t("nc.when_now")
    if at:
        from datetime import datetime

        when = ctx.t(
            "nc.when_at",
            at=datetime.fromisoformat(str(at)).astimezone(ZONE).strftime("%H:%M %d/%m"),
        )
    return {**notice_preview_view(ctx), "when": when, "text": ctx.slots.get("text") or ""}


def notice_done_view(ctx: Ctx) -> dict[str, Any]:
    created = ctx.slots.get("created") or {}
    if not created.get("ok"):
        return {"result": ctx.t("nc.failed", reason=str(created.get("reason") or ""))}
    return {"result": ctx.t("nc.scheduled", id=created["id"], at=created["at"])}


def notice_progress_view(ctx: Ctx) -> dict[str, Any]:
    p = ctx.slots.get("progress") or {}
    if not p.get("found"):
        return {"result": ctx.t("np.none")}
    key = "np.done" if p.get("status") == "done" else "np.line"
    values = {k: p[k] for k in ("id", "sent", "planned", "failed", "skipped", "waiting")}
    return {"result": ctx.t(key, **values)}


def _plea_without_warning(ctx: Ctx) -> bool:
    """ "cần giúp" with no warning to answer: a call for help all the same (the disaster
    journey takes it); "an toàn" alone is only thanked."""
    answered = ctx.slots.get("answer") or {}
    prefill = ctx.session.get("prefill") or {}
    answer = prefill.get("answer") or read_safety(str(prefill.get("text") or ""))
    return answered.get("reason") == "no_warning" and answer == "help"


def safety_view(ctx: Ctx) -> dict[str, Any]:
    a = ctx.slots.get("answer") or {}
    if not a.get("ok"):
        return {"result": ctx.t("sa.no_warning")}
    if a.get("help"):
        key = "sa.help_alerted" if a.get("alerted") else "sa.help"
        return {"result": ctx.t(key, ref=a["ref"])}
    return {"result": ctx.t("sa.safe")}


CONDITIONS.update(
    notice_is_warning=lambda ctx: ctx.slots.get("topic") == "disaster_warnings",
    notice_fixed_place=lambda ctx: ctx.role != "officer",
    notice_later=lambda ctx: ctx.slots.get("when") == "later",
    notice_previewed=lambda ctx: bool(_preview(ctx).get("ok")),
    sub_needs_village=lambda ctx: bool(
        {"village_notices", "disaster_warnings"} & set(ctx.slots.get("topics") or ())
    ),
    safety_plea_without_warning=lambda ctx: _plea_without_warning(ctx),
)
ACTIONS.update(
    notice_preview=notice_preview, notice_create=notice_create,
    notice_progress=notice_progress, safety_answer=safety_answer,
)  # fmt: skip
GETTERS.update(
    notice_preview_view=notice_preview_view, notice_confirm_view=notice_confirm_view,
    notice_done_view=notice_done_view, notice_progress_view=notice_progress_view,
    safety_view=safety_view,
)  # fmt: skip
OPTIONS["notice_places"] = notice_places
VALIDATORS["notice_time"] = notice_time
