""" "Dữ liệu của tôi" and "xoá dữ liệu của tôi": the actions and the texts built from their
results (``privacy.summary`` / ``privacy.erase`` in :mod:`bot.engine.types`)."""

from __future__ import annotations

from typing import Any

from bot.engine import fmt
from bot.engine.context import Ctx
from bot.engine.functions.common import topic_names
from bot.engine.functions.reports import status_name_of, type_name_of
from bot.engine.registry import ACTIONS, GETTERS
from bot.engine.types import ActionRequest

SHOWN_REPORTS = 3  # the newest; the count says how many there are


def privacy_summary(ctx: Ctx) -> ActionRequest:
    return ActionRequest("privacy.summary", {"limit": SHOWN_REPORTS})


def privacy_erase(ctx: Ctx) -> ActionRequest:
    return ActionRequest("privacy.erase", {})


def _none(ctx: Ctx) -> str:
    return ctx.t("my.none")


def my_data_view(ctx: Ctx) -> dict[str, Any]:
    held: dict[str, Any] = ctx.slots.get("held") or {}
    size, klass = held.get("household_size"), held.get("household_class")
    household = _none(ctx)
    if size or klass or held.get("checks"):
        parts = [ctx.t("my.people", n=size)] if size else []
        parts += [ctx.t(f"el.class.{klass}")] if klass in ("poor", "near_poor") else []
        household = ", ".join([*parts, ctx.t("my.checks", n=held.get("checks") or 0)])
    reports = [
        ctx.t(
            "my.report_line", ref=r.get("ref", "-"), type_name=type_name_of(ctx, r.get("type")),
            created=fmt.day(r.get("created_at")), status_name=status_name_of(ctx, r.get("status")),
        )
        for r in (held.get("reports") or [])[:SHOWN_REPORTS]
    ]  # fmt: skip
    topics = topic_names(ctx, list(held.get("topics") or []))
    consent = _none(ctx)
    if held.get("consent_at"):
        consent = ctx.t(
            "my.consent", day=fmt.day(held["consent_at"]), version=held.get("consent_version")
        )
    return {
        "addresses": ", ".join(held.get("addresses") or []) or _none(ctx),
        "name": held.get("name") or _none(ctx),
        "village": held.get("village") or _none(ctx),
        "household": household,
        "report_count": held.get("report_count") or 0,
        "reports": "".join(f"\n  {line}" for line in reports),
        "messages": held.get("messages") or 0,
        "topics": topics if topics and not held.get("stopped") else _none(ctx),
        "consent": consent,
    }


def erase_done(ctx: Ctx) -> dict[str, Any]:
    kept = list((ctx.slots.get("erased") or {}).get("kept") or [])
    note = ctx.t("erase.kept", n=len(kept), refs=", ".join(kept)) + " " if kept else ""
    return {"kept_note": note}


ACTIONS.update(privacy_summary=privacy_summary, privacy_erase=privacy_erase)
GETTERS.update(my_data_view=my_data_view, erase_done=erase_done)
