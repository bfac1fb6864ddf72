"""JSON API for other commune systems and tests: ``/api/v1``.

``POST /api/v1/session`` gives a token (and sets the page cookie); every other route takes
``Authorization: Bearer <token>`` (or the cookie plus ``X-CSRF-Token`` for writes). Anonymous:
401. A report outside the caller's scope: 404, exactly like an unknown code.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from bot.store.records import (
    REPORT_STATUSES,
    REPORT_TYPES,
    LoggedMessage,
    ReportEvent,
    ReportRecord,
)
from bot.web.params import Count, RowId
from bot.web.workspace.auth import login, logout
from bot.web.workspace.deps import ApiUser, ApiWriter, WorkspaceDep, client_ip
from bot.web.workspace.messenger import MessengerUnavailable
from bot.web.workspace.pages import set_session_cookie
from bot.web.workspace.queue import Filters
from bot.web.workspace.service import Invalid, NotAllowed, NotVisible, Triage
from bot.web.workspace.sla import Sla, sla_of

router = APIRouter(prefix="/api/v1", tags=["workspace"])
T = TypeVar("T")
LIST_LIMIT = 200


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["new", "acknowledged", "in_progress", "resolved", "rejected"]
    note: str | None = Field(None, max_length=2000)


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: RowId | None


def item(r: ReportRecord) -> dict[str, Any]:
    return {
        "ref": r.ref,
        "kind": r.type,
        "status": r.status,
        "urgency": r.urgency,
        "flagged": r.flagged,
        "commune": r.commune_code,
        "village": r.village_id,
        "created_at": r.created_at.isoformat(),
        # personal fields removed (the resident had their data erased, or retention)
        "anonymised": r.anonymised_at is not None,
    }


def _errors(exc: Exception) -> HTTPException:
    if isinstance(exc, NotVisible):
        return HTTPException(404, "report not found")
    if isinstance(exc, NotAllowed):
        return HTTPException(403, "this role is read-only")
    if isinstance(exc, MessengerUnavailable):
        return HTTPException(503, "residents cannot be reached from this server; nothing saved")
    return HTTPException(422, str(exc))


async def _call(action: Awaitable[T]) -> T:
    """Await a Triage action, turning its refusals into HTTP answers."""
    try:
        return await action
    except (NotVisible, NotAllowed, Invalid, MessengerUnavailable) as exc:
        raise _errors(exc) from exc


@router.post("/session")
async def open_session(
    body: Credentials, request: Request, response: Response, ws: WorkspaceDep
) -> dict[str, str]:
    result = await login(ws.bot.store, ws.cfg, username=body.username, password=body.password,
                         ip=client_ip(request), now=ws.now())  # fmt: skip
    if not result.ok or result.token is None or result.user is None:
        headers = {"WWW-Authenticate": "Bearer"}
        if result.locked_until is not None:
            retry = max(1, int((result.locked_until - ws.now()).total_seconds()))
            headers["Retry-After"] = str(retry)
        raise HTTPException(401, "wrong username or password, or locked", headers=headers)
    set_session_cookie(response, ws, result.token)
    return {"token": result.token, "role": result.user.role, "csrf": result.csrf or ""}


@router.delete("/session")
async def close_session(request: Request, ws: WorkspaceDep, who: ApiWriter) -> dict[str, bool]:
    await logout(ws.bot.store, who, ip=client_ip(request))
    return {"ok": True}


@router.get("/reports")
async def list_reports(
    ws: WorkspaceDep,
    who: ApiUser,
    status: str = "",
    kind: str = "",
    village: str = "",
    offset: Count = 0,
) -> dict[str, Any]:
    """Reports in scope, most urgent and oldest first; ``status`` empty = open ones,
    ``all`` = every status."""
    if status and status not in ("all", *REPORT_STATUSES):
        raise HTTPException(422, "unknown status")  # never the input back
    if kind and kind not in REPORT_TYPES:
        raise HTTPException(422, "unknown kind")
    filters = Filters(status=status, kind=kind, village=village[:128], offset=max(offset, 0))
    flt = filters.to_store(ZoneInfo(ws.bot.settings.timezone))
    async with ws.bot.store.transaction() as tx:
        rows = await tx.triage.queue(who.scope, flt, limit=LIST_LIMIT, offset=filters.offset)
        total = await tx.triage.count(who.scope, flt)
    return {"items": [item(r) for r in rows], "total": total}


@router.get("/reports/{ref}")
async def get_report(ws: WorkspaceDep, who: ApiUser, ref: str) -> dict[str, Any]:
    try:
        d = await Triage(ws).detail(who, ref)
    except NotVisible as exc:
        raise _errors(exc) from exc
    r = d.report
    sla = sla_of(r, ws.cfg, ws.now())
    return {
        **item(r),
        "subtype": r.subtype,
        "details": r.details,
        "urgency_reasons": ws.presenter.reasons(r),
        "lat": r.lat,
        "lon": r.lon,
        "photos": list(r.photos),
        "assigned_to": r.assigned_to,
        "acknowledged_at": r.acknowledged_at.isoformat() if r.acknowledged_at else None,
        "closed_at": r.closed_at.isoformat() if r.closed_at else None,
        "anonymised_at": r.anonymised_at.isoformat() if r.anonymised_at else None,
        "sla": _sla(sla),
        "history": [_event(e) for e in d.history],
        "messages": [_message(m) for m in d.messages],
    }


def _sla(sla: Sla | None) -> dict[str, str] | None:
    if sla is None:
        return None
    return {"stage": sla.stage, "state": sla.state, "due": sla.due.isoformat()}


def _event(e: ReportEvent) -> dict[str, Any]:
    return {"kind": e.kind, "status": e.status, "note": e.note, "actor": e.actor,
            "at": e.at.isoformat(), "detail": e.detail}  # fmt: skip


def _message(m: LoggedMessage) -> dict[str, Any]:
    return {"direction": m.direction, "text": m.text, "at": m.at.isoformat(),
            "adapter": m.adapter, "kind": m.kind}  # fmt: skip


@router.post("/reports/{ref}/status")
async def change_status(
    request: Request, ws: WorkspaceDep, who: ApiWriter, ref: str, body: StatusChange
) -> dict[str, Any]:
    """The report after the change; ``resident_told``: the resident's message was recorded
    for sending (false: no way to reach them now; null: not a status they are told about)."""
    r, told = await _call(
        Triage(ws).change_status(who, ref, body.status, body.note, client_ip(request))
    )
    return {**item(r), "resident_told": None if told is None else told.sent}


@router.post("/reports/{ref}/replies")
async def reply(
    request: Request, ws: WorkspaceDep, who: ApiWriter, ref: str, body: Text
) -> dict[str, Any]:
    e = await _call(Triage(ws).reply(who, ref, body.text, client_ip(request)))
    return {"ok": True, "at": e.at.isoformat(), "text": e.note}


@router.post("/reports/{ref}/notes")
async def note(
    request: Request, ws: WorkspaceDep, who: ApiWriter, ref: str, body: Text
) -> dict[str, Any]:
    e = await _call(Triage(ws).note(who, ref, body.text, client_ip(request)))
    return {"ok": True, "at": e.at.isoformat()}


@router.post("/reports/{ref}/assign")
async def assign(
    request: Request, ws: WorkspaceDep, who: ApiWriter, ref: str, body: Assignment
) -> dict[str, Any]:
    r = await _call(Triage(ws).assign(who, ref, body.user_id, client_ip(request)))
    return {**item(r), "assigned_to": r.assigned_to}
