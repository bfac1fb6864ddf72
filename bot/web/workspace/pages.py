"""Workspace pages: login, the queue (live), a report and its actions.

Forms are plain POSTs answered with a redirect (they work without JavaScript on a slow
phone); htmx only refreshes the queue when a new report arrives. Every POST carries the
session's CSRF token. What the caller's scope hides is a 404, as if it did not exist.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from bot.web.workspace import labels
from bot.web.workspace.auth import Principal, login, logout
from bot.web.workspace.deps import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    FormUser,
    PageUser,
    Workspace,
    WorkspaceDep,
    client_ip,
)
from bot.web.workspace.messenger import MessengerUnavailable
from bot.web.workspace.queue import URGENCY_CHOICES, Filters, build_queue
from bot.web.workspace.service import Invalid, Triage
from bot.web.workspace.sla import sla_of

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix="/ws", include_in_schema=False)

# Messages shown after a redirect: the query string names one, never carries text.
NOTICES = {
    "status": "Đã cập nhật trạng thái.",
    "status_untold": "Đã cập nhật trạng thái, nhưng chưa báo được người dân (không liên lạc được"
    " qua kênh nào lúc này). Xin gọi điện cho người dân.",
    "assign": "Đã giao việc.",
    "note": "Đã ghi chú (chỉ cán bộ thấy).",
    "reply": "Đã gửi trả lời cho người dân.",
    "logout": "Đã đăng xuất.",
}


def render(
    request: Request, name: str, ctx: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    ctx.setdefault("labels", labels)
    ws = getattr(request.app.state, "workspace", None)
    if ws is not None:
        ctx.setdefault("p", ws.presenter)
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/ws/") and not value.startswith("//"):
        return value
    return "/ws/"


def set_session_cookie(response: Response, ws: Workspace, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=ws.cfg.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=ws.cookie_secure(),
        path="/",
    )


# -- login ------------------------------------------------------------------------------------


@router.get("/login")
async def login_form(
    request: Request, ws: WorkspaceDep, next: str = "/ws/", notice: str = ""
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"csrf": token, "next": _safe_next(next),
                      "error": None, "notice": NOTICES.get(notice)})  # fmt: skip
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=ws.cookie_secure(), path="/ws/login", max_age=3600)  # fmt: skip
    return response


@router.post("/login")
async def login_submit(
    request: Request,
    ws: WorkspaceDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=300)] = "/ws/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not csrf or not secrets.compare_digest(csrf, expected):
        return render(request, "login.html", {"csrf": expected or secrets.token_urlsafe(24),
                      "next": _safe_next(next), "notice": None,
                      "error": "Phiên đăng nhập đã hết, xin thử lại."}, 403)  # fmt: skip
    result = await login(ws.bot.store, ws.cfg, username=username, password=password,
                         ip=client_ip(request), now=ws.now())  # fmt: skip
    if not result.ok or result.token is None:
        if result.locked_until is not None:
            wait = max(1, int((result.locked_until - ws.now()).total_seconds() // 60) + 1)
            error = f"Đăng nhập sai nhiều lần. Xin thử lại sau {wait} phút."
        else:
            error = "Tên đăng nhập hoặc mật khẩu không đúng."
        return render(request, "login.html", {"csrf": expected, "next": _safe_next(next),
                      "error": error, "notice": None}, 401)  # fmt: skip
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, ws, result.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ws/login")
    return response


@router.post("/logout")
async def logout_submit(request: Request, ws: WorkspaceDep, who: FormUser) -> Response:
    await logout(ws.bot.store, who, ip=client_ip(request))
    response = RedirectResponse("/ws/login?notice=logout", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# -- queue ------------------------------------------------------------------------------------


@router.get("/")
async def queue_page(request: Request, ws: WorkspaceDep, who: PageUser) -> Response:
    filters = Filters.parse(dict(request.query_params))
    p = ws.presenter
    since = request.query_params.get("since", "")
    fragment = request.headers.get("hx-request") == "true"
    new = int(since) if fragment and since.isascii() and since.isdigit() else None  # not "²"
    if new is not None:
        async with ws.bot.store.transaction() as tx:
            if await tx.triage.newest_id(who.scope) <= new:
                return Response(status_code=204)  # nothing new: htmx keeps the page as it is
    view = await build_queue(ws, who.scope, filters, p)
    ctx = {"who": who, "view": view, "p": p, "ws": ws, "urgency_choices": URGENCY_CHOICES,
           "villages": p.villages_of(who.user.commune_code), "fresh_since": new,
           "notice": None}  # fmt: skip
    return render(request, "_queue.html" if fragment else "queue.html", ctx)


# -- one report -------------------------------------------------------------------------------


@router.get("/reports/{ref}")
async def report_page(request: Request, ws: WorkspaceDep, who: PageUser, ref: str) -> Response:
    return await _report(request, ws, who, ref)


async def _report(
    request: Request,
    ws: WorkspaceDep,
    who: Principal,
    ref: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    detail = await Triage(ws).detail(who, ref)
    p = ws.presenter
    assignable = []
    if who.rule.act and detail.report.commune_code:
        async with ws.bot.store.transaction() as tx:
            assignable = [u for u in await tx.users.of_commune(detail.report.commune_code)
                          if u.role == "officer"]  # fmt: skip
    notice = NOTICES.get(request.query_params.get("ok", ""))
    ctx = {
        "who": who, "d": detail, "r": detail.report, "p": p, "ws": ws, "error": error,
        "notice": notice, "sla": sla_of(detail.report, ws.cfg, ws.now()),
        "next_statuses": ws.workflow.next_statuses(detail.report.status),
        "needs_reason": {s for s in ws.workflow.statuses if ws.workflow.needs_reason(s)},
        "assignable": assignable,
    }  # fmt: skip
    return render(request, "report.html", ctx, status_code)


async def _act(
    request: Request, ws: Workspace, who: Principal, ref: str, what: str, action: Awaitable[object]
) -> Response:
    """Run one report action; redirect to the report with a notice, or show why not (422).

    An action that returns a notice name (a key of ``NOTICES``) chooses the notice itself."""
    try:
        result = await action
    except (Invalid, MessengerUnavailable) as exc:
        return await _report(request, ws, who, ref, error=_why(exc), status_code=422)
    notice = result if isinstance(result, str) and result in NOTICES else what
    return RedirectResponse(f"/ws/reports/{ref.upper()}?ok={notice}#top", status_code=303)


@router.post("/reports/{ref}/status")
async def status_submit(
    request: Request,
    ws: WorkspaceDep,
    who: FormUser,
    ref: str,
    status: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    async def change() -> str:
        _, told = await Triage(ws).change_status(who, ref, status, note, client_ip(request))
        return "status" if told is None or told.sent else "status_untold"

    return await _act(request, ws, who, ref, "status", change())


@router.post("/reports/{ref}/assign")
async def assign_submit(
    request: Request,
    ws: WorkspaceDep,
    who: FormUser,
    ref: str,
    user_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    target = int(user_id) if user_id.isdigit() else None
    if target is None and user_id == "me":
        target = who.user.id
    return await _act(
        request, ws, who, ref, "assign", Triage(ws).assign(who, ref, target, client_ip(request))
    )


@router.post("/reports/{ref}/note")
async def note_submit(
    request: Request,
    ws: WorkspaceDep,
    who: FormUser,
    ref: str,
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return await _act(
        request, ws, who, ref, "note", Triage(ws).note(who, ref, text, client_ip(request))
    )


@router.post("/reports/{ref}/reply")
async def reply_submit(
    request: Request,
    ws: WorkspaceDep,
    who: FormUser,
    ref: str,
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return await _act(
        request, ws, who, ref, "reply", Triage(ws).reply(who, ref, text, client_ip(request))
    )


def _why(exc: Exception) -> str:
    if isinstance(exc, MessengerUnavailable):
        return "Chưa gửi được cho người dân: hệ thống gửi tin chưa được kết nối. Chưa lưu gì."
    return str(exc)
