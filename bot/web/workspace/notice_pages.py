"""Notice pages: ``/ws/notices`` (the scope's notices), ``/new`` (the form), ``/preview``
(who it would reach and what it costs, with Confirm / Back), ``/{id}`` (progress, polled by
htmx while it moves; Cancel while it has not all gone out).

Like the report pages: plain POST forms with the session's CSRF token, answered with a page
or a redirect, so a slow phone without JavaScript can send a notice. htmx only adds the live
SMS count under the text and the progress refresh. Words are ``wsn.*`` in the locales.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.datastructures import FormData

from bot.notices.scope import OutOfScope
from bot.notices.service import MAX_TEXT, Draft
from bot.notices.words import audience
from bot.store.records import TOPICS
from bot.web.params import RowId
from bot.web.workspace.auth import Principal
from bot.web.workspace.deps import (
    FormUser,
    PageUser,
    Workspace,
    WorkspaceDep,
    client_ip,
    get_workspace,
)
from bot.web.workspace.notice_desk import (
    MAX_VILLAGES,
    NoNotice,
    NoticeDesk,
    NoticeIn,
    Shown,
)
from bot.web.workspace.pages import render
from bot.web.workspace.service import Invalid

router = APIRouter(prefix="/ws/notices", include_in_schema=False)
POLL_SENDING, POLL_SCHEDULED = 3, 30  # seconds between progress refreshes
SOON = timedelta(minutes=1)  # a notice due this soon is refreshed as if it were sending
TOPIC_ORDER = ("village_notices", "disaster_warnings", "loans")  # the form's order: most used first
FLASHES = ("created", "cancelled")  # ?ok=<name> after a redirect: wsn.ok.<name>


@dataclass
class Fields:
    """The form as typed, to fill it again (Back, an error) and to carry it to Confirm."""

    topic: str = ""
    text: str = ""
    commune: str = ""
    villages: list[str] = field(default_factory=list)
    date: str = ""
    time: str = ""
    ask_safety: bool = False
    unaccented: bool = False

    @classmethod
    def read(cls, form: FormData) -> Fields:
        def one(name: str, limit: int) -> str:
            value = form.get(name)
            return value[:limit] if isinstance(value, str) else ""

        villages = [v[:128] for v in form.getlist("village") if isinstance(v, str)]
        return cls(
            topic=one("topic", 32), text=one("text", 4 * MAX_TEXT), commune=one("commune", 16),
            villages=villages[:MAX_VILLAGES], date=one("date", 10), time=one("time", 8),
            ask_safety=form.get("ask_safety") == "1", unaccented=form.get("unaccented") == "1",
        )  # fmt: skip

    def draft(self, desk: NoticeDesk, who: Principal) -> Draft:
        return desk.draft(
            who,
            NoticeIn(
                topic=self.topic, text=self.text, commune_code=self.commune or None,
                village_ids=self.villages, send_at=desk.local_send_at(self.date, self.time),
                ask_safety=self.ask_safety, unaccented=self.unaccented,
            )
        )  # fmt: skip


async def refused(request: Request, exc: Exception) -> Response:
    """:class:`NoNotice` (404) and :class:`NotSender` (403), pages and API alike (``mount``
    installs it)."""
    status = 404 if isinstance(exc, NoNotice) else 403
    if request.url.path.startswith("/api/"):
        detail = "notice not found" if status == 404 else str(exc)
        return JSONResponse({"detail": detail}, status_code=status)
    ws = get_workspace(request)
    ctx = {"who": getattr(request.state, "principal", None), "active": "notices",
           "title": ws.presenter.t("wsn.title"), "notice": None, "message": str(exc)}  # fmt: skip
    return render(request, "error.html", ctx, status)


def _form(
    request: Request,
    ws: Workspace,
    who: Principal,
    given: Fields,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    p = ws.presenter
    commune = who.user.commune_code if who.user.role == "officer" else given.commune or None
    places = ws.bot.places
    ctx = {
        "who": who, "active": "notices", "f": given, "error": error, "notice": None,
        "topics": TOPIC_ORDER, "max_text": MAX_TEXT, "place": p.commune(commune) if commune else "",
        "villages": p.villages_of(commune) if commune else [],
        "communes": [(c.code, c.display_name) for c in places.communes()]
        if who.user.role == "admin" else [],
    }  # fmt: skip
    return render(request, "notice_new.html", ctx, status_code)


@router.get("")
async def notices_page(request: Request, ws: WorkspaceDep, who: PageUser) -> Response:
    desk = NoticeDesk(ws)
    shown = await desk.recent(who)
    ctx = {"who": who, "active": "notices", "shown": shown, "desk": desk, "notice": None}
    return render(request, "notices.html", ctx)


@router.get("/new")
async def new_page(
    request: Request, ws: WorkspaceDep, who: PageUser, commune: str = ""
) -> Response:
    NoticeDesk(ws).sender(who)
    return _form(request, ws, who, Fields(topic="village_notices", commune=commune[:16]))


@router.post("/new")
async def back_to_form(request: Request, ws: WorkspaceDep, who: FormUser) -> Response:
    """The form again, filled (Back from the preview; an admin choosing a commune)."""
    NoticeDesk(ws).sender(who)
    return _form(request, ws, who, Fields.read(await request.form()))


@router.post("/preview")
async def preview_page(request: Request, ws: WorkspaceDep, who: FormUser) -> Response:
    desk, given = NoticeDesk(ws), Fields.read(await request.form())
    try:
        draft = given.draft(desk, who)
        look = await desk.look(who, draft)
    except (Invalid, OutOfScope) as exc:  # the form again, as typed, with the reason
        code = 403 if isinstance(exc, OutOfScope) else 422
        return _form(request, ws, who, given, error=str(exc), status_code=code)
    ctx = {
        "who": who, "active": "notices", "f": given, "d": draft, "look": look, "notice": None,
        "max_text": MAX_TEXT,
        "audience": audience(ws.presenter.t, look.preview.as_json(), look.where),
    }  # fmt: skip
    return render(request, "notice_preview.html", ctx)


@router.post("")
async def create_submit(request: Request, ws: WorkspaceDep, who: FormUser) -> Response:
    desk, given = NoticeDesk(ws), Fields.read(await request.form())
    try:
        notice, _ = await desk.create(who, given.draft(desk, who), client_ip(request))
    except (Invalid, OutOfScope) as exc:  # the form again, as typed, with the reason
        code = 403 if isinstance(exc, OutOfScope) else 422
        return _form(request, ws, who, given, error=str(exc), status_code=code)
    return RedirectResponse(f"/ws/notices/{notice.id}?ok=created", status_code=303)


@router.post("/count")
async def count_fragment(request: Request, ws: WorkspaceDep, who: FormUser) -> Response:
    """The live count under the text (htmx): characters, and SMS per person as it will read."""
    desk, given = NoticeDesk(ws), Fields.read(await request.form())
    desk.sender(who)
    text = given.text.strip()
    segments = 0
    if text and given.topic in TOPICS:
        draft = Draft(given.topic, text[:MAX_TEXT], unaccented=given.unaccented,
                      ask_safety=given.ask_safety)  # fmt: skip
        segments = desk.sms_size(who, draft)  # no place named: always in the sender's scope
    words = ws.presenter.t("wsn.count", chars=len(text), max=MAX_TEXT, segments=segments)
    return HTMLResponse(html.escape(words))


@router.get("/{notice_id:int}")
async def notice_page(
    request: Request, ws: WorkspaceDep, who: PageUser, notice_id: RowId
) -> Response:
    return await _detail(request, ws, who, notice_id)


async def _detail(
    request: Request,
    ws: Workspace,
    who: Principal,
    notice_id: RowId,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    desk = NoticeDesk(ws)
    shown = await desk.get(who, notice_id)
    fragment = request.headers.get("hx-request") == "true"
    ok = request.query_params.get("ok", "")
    flash = ws.presenter.t(f"wsn.ok.{ok}", id=notice_id) if ok in FLASHES else None
    due = shown.notice.send_at <= ws.now() + SOON
    ctx: dict[str, Any] = {
        "who": who, "active": "notices", "s": shown, "n": shown.notice, "desk": desk,
        "error": error, "notice": flash, "due": due, "poll": _poll(shown, due),
    }  # fmt: skip
    return render(request, "_notice_progress.html" if fragment else "notice.html", ctx,
                  status_code)  # fmt: skip


def _poll(shown: Shown, due: bool) -> int | None:
    """Seconds between refreshes: none once it is over, slowly while its time is far."""
    if not shown.live:
        return None
    return POLL_SCHEDULED if shown.notice.status == "scheduled" and not due else POLL_SENDING


@router.post("/{notice_id:int}/cancel")
async def cancel_submit(
    request: Request, ws: WorkspaceDep, who: FormUser, notice_id: RowId
) -> Response:
    try:
        await NoticeDesk(ws).cancel(who, notice_id)
    except Invalid as exc:
        return await _detail(request, ws, who, notice_id, error=str(exc), status_code=422)
    return RedirectResponse(f"/ws/notices/{notice_id}?ok=cancelled", status_code=303)
