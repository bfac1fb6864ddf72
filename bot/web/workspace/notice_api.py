"""Notices through the JSON API: ``/api/v1/notices``. Same callers and errors as the rest of
``/api/v1`` (Bearer token, or the cookie plus ``X-CSRF-Token`` for writes; ``{"detail": …}``).

- ``POST /notices`` → 201: the notice, its status, ``send_at`` and the preview (people per
  adapter, SMS segments, cost). ``POST /notices/preview``: the preview only, nothing kept.
- ``GET /notices``: the scope's latest notices with their progress; ``GET /notices/{id}``:
  one, with live progress; ``POST /notices/{id}/cancel``.

401 anonymous; 403 a role that sends no notices, or a place outside the caller's scope (the
Vietnamese reason, audited as ``notice.refused``); 404 a notice outside the scope, as an
unknown id; 422 a bad field, with a short reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from bot.notices.scope import OutOfScope
from bot.store.notices import Progress
from bot.web.params import Count, RowId
from bot.web.workspace.deps import ApiUser, ApiWriter, WorkspaceDep, client_ip
from bot.web.workspace.notice_desk import NoticeDesk, NoticeIn, Shown
from bot.web.workspace.service import Invalid

router = APIRouter(prefix="/api/v1/notices", tags=["notices"])
LIST_LIMIT = 200


@contextmanager
def _refusals() -> Iterator[None]:
    """The desk's refusals of a request as HTTP answers (NoNotice and NotSender: the
    workspace's handler, :func:`bot.web.workspace.notice_pages.refused`)."""
    try:
        yield
    except OutOfScope as exc:
        raise HTTPException(403, str(exc)) from exc
    except Invalid as exc:
        raise HTTPException(422, str(exc)) from exc


def item(shown: Shown) -> dict[str, Any]:
    n = shown.notice
    return {
        "id": n.id, "topic": n.topic, "text": n.text, "status": n.status,
        "commune": n.commune_code, "villages": list(n.village_ids), "ask_safety": n.ask_safety,
        "unaccented": n.unaccented, "sender": n.sender, "send_at": n.send_at.isoformat(),
        "created_at": n.created_at.isoformat(),
        "finished_at": n.finished_at.isoformat() if n.finished_at else None,
        "progress": shown.progress.as_json(),
    }  # fmt: skip


@router.post("", status_code=201)
async def create_notice(
    request: Request, ws: WorkspaceDep, who: ApiWriter, body: NoticeIn
) -> dict[str, Any]:
    desk = NoticeDesk(ws)
    with _refusals():
        desk.sender(who)  # a role that sends nothing: 403 before any 422
        notice, preview = await desk.create(who, desk.draft(who, body), client_ip(request))
    fresh = Shown(notice, Progress(notice.planned, {}))  # planned after the commit, at send_at
    return {**item(fresh), "preview": preview.as_json()}


@router.post("/preview")
async def preview_notice(ws: WorkspaceDep, who: ApiWriter, body: NoticeIn) -> dict[str, Any]:
    desk = NoticeDesk(ws)
    with _refusals():
        desk.sender(who)
        look = await desk.look(who, desk.draft(who, body))
    return {"preview": look.preview.as_json()}


@router.get("")
async def list_notices(ws: WorkspaceDep, who: ApiUser, limit: Count = 50) -> dict[str, Any]:
    """Newest first: the caller's commune (an officer) or every notice (an admin)."""
    with _refusals():
        shown = await NoticeDesk(ws).recent(who, limit=max(1, min(limit, LIST_LIMIT)))
    return {"items": [item(s) for s in shown]}


@router.get("/{notice_id}")
async def get_notice(ws: WorkspaceDep, who: ApiUser, notice_id: RowId) -> dict[str, Any]:
    with _refusals():
        return item(await NoticeDesk(ws).get(who, notice_id))


@router.post("/{notice_id}/cancel")
async def cancel_notice(ws: WorkspaceDep, who: ApiWriter, notice_id: RowId) -> dict[str, Any]:
    with _refusals():
        return item(await NoticeDesk(ws).cancel(who, notice_id))
