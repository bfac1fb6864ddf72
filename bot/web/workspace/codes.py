"""One-time role codes from the workspace (``/ws/codes``).

- Every user: "get my alerts on my phone" — a code that, sent to the bot from their phone, links
  that chat to their account (the bot confirms; alerts then come there).
- Officers (their commune) and admins (any village): a village head's code.

A code is shown once, on the page that issued it (never in a URL), and expires
(``BANBOT_ROLE_CODE_TTL_HOURS``); issuing is audited.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from bot.web.workspace.auth import Principal
from bot.web.workspace.deps import FormUser, PageUser, Workspace, WorkspaceDep, client_ip
from bot.web.workspace.pages import render

router = APIRouter(prefix="/ws", include_in_schema=False)


def _villages(ws: Workspace, who: Principal) -> list[tuple[str, str]]:
    """Villages this user may give a head's code for: (id, display name)."""
    places = ws.bot.places
    if who.user.role == "officer" and who.user.commune_code:
        villages = places.villages_of(who.user.commune_code)
    elif who.user.role == "admin":
        villages = [v for c in places.communes() for v in places.villages_of(c.code)]
    else:
        villages = []
    return [(v.id, f"{v.display_name}") for v in villages]


def _page(ws: Workspace, who: Principal, **extra: object) -> dict[str, object]:
    hours = ws.bot.settings.role_code_ttl_hours
    return {"who": who, "active": "codes", "villages": _villages(ws, who), "hours": hours, **extra}


@router.get("/codes")
async def codes_page(request: Request, ws: WorkspaceDep, who: PageUser) -> Response:
    return render(request, "codes.html", _page(ws, who))


@router.post("/codes/phone")
async def phone_code(request: Request, ws: WorkspaceDep, who: FormUser) -> Response:
    """A code that makes the sender's chat this account's phone (same role, same place)."""
    user = who.user
    role = {"officer": "officer", "admin": "admin", "head": "head"}[user.role]
    code = await _issue(ws, who, request, role=role, user_id=user.id,
                        commune_code=user.commune_code if role == "officer" else None,
                        village_id=user.village_id if role == "head" else None)  # fmt: skip
    return render(request, "codes.html", _page(ws, who, issued=code, purpose="phone"))


@router.post("/codes/head")
async def head_code(
    request: Request,
    ws: WorkspaceDep,
    who: FormUser,
    village: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    allowed = dict(_villages(ws, who))
    if village not in allowed:
        ctx = _page(ws, who, error="Chọn một bản của xã mình.")
        return render(request, "codes.html", ctx, status_code=422)
    code = await _issue(ws, who, request, role="head", village_id=village)
    return render(
        request, "codes.html", _page(ws, who, issued=code, purpose="head", place=allowed[village])
    )


async def _issue(ws: Workspace, who: Principal, request: Request, **grant: object) -> str:
    ttl = timedelta(hours=ws.bot.settings.role_code_ttl_hours)
    role = str(grant["role"])
    async with ws.bot.store.transaction() as tx:
        code, rec = await tx.role_codes.issue(issued_by=who.actor, ttl=ttl, **grant)  # type: ignore[arg-type]
        target = f"village:{rec.village_id}" if rec.village_id else None
        target = target or (f"commune:{rec.commune_code}" if rec.commune_code else None)
        await tx.audit.record(
            actor=who.actor, action="role.code_issued", target=target,
            detail={"role": role, "code_id": rec.id, "for_user": rec.user_id},
            ip=client_ip(request),
        )  # fmt: skip
    return code
