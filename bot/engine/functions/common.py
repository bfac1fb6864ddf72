"""Functions shared by several flows: reference codes, report arguments, topics."""

from __future__ import annotations

import re
from typing import Any

from bot.engine.context import Ctx
from bot.engine.registry import GETTERS, VALIDATORS
from bot.engine.types import JSON

TOPICS = ("loans", "disaster_warnings", "village_notices")
_REF = re.compile(r"^([A-Z]{1,4})-?(\d{1,10})$")
# The store's codes: a two-letter prefix and six symbols, which may all be letters (TT-KXQMNP).
_STORE_REF = re.compile(r"^([A-Z]{2})-?([A-Z0-9]{6})$")


def report_args(ctx: Ctx, rtype: str, subtype: str | None, details: JSON) -> JSON:
    """The ``report.submit`` arguments every flow shares (see ``bot.engine.types``)."""
    return {
        "type": rtype,
        "subtype": subtype,
        "village_id": ctx.slots.get("village_id"),
        "commune_code": ctx.slots.get("commune_code"),
        "details": details,
        "location": None,
        "photos": [],
        "danger_now": None,
    }


def submit_ref(ctx: Ctx) -> dict[str, Any]:
    """``{ref}`` from the ``submit`` slot (the ``report.submit`` result)."""
    result = ctx.slots.get("submit") or {}
    return {"ref": str(result.get("ref") or "-")}


def ref_code(ctx: Ctx, text: str) -> str | None:
    """A reference code as typed ("tt 000001", "TT-000001") in its canonical form, or None."""
    compact = re.sub(r"[\s.]+", "", text).upper()
    m = _REF.match(compact) or _STORE_REF.match(compact)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    if re.fullmatch(r"[A-Z0-9-]{4,24}", compact) and any(c.isdecimal() for c in compact):
        return compact
    return None


def topic_names(ctx: Ctx, topics: list[str]) -> str:
    return ", ".join(ctx.t(f"topic.{t}") for t in TOPICS if t in topics)


GETTERS["submit_ref"] = submit_ref
VALIDATORS["ref_code"] = ref_code
