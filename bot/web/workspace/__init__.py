"""The commune officers' workspace: pages under ``/ws``, the JSON API under ``/api/v1``.

:func:`mount` adds both to the FastAPI application with their error handling and the
security headers of every response they give.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.workspace import api, codes, insights, notice_api, notice_pages, pages
from bot.web.workspace.deps import LoginRequired
from bot.web.workspace.notice_desk import NoNotice, NotSender
from bot.web.workspace.service import NotAllowed, NotVisible

STATIC = Path(__file__).parent / "static"
VENDOR = "/static/vendor/"
CSP = (
    "default-src 'self'; img-src 'self' data: {tiles}; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def mount(api_app: FastAPI, *, tile_host: str = "") -> None:
    """Add the workspace routes, static files and handlers to ``api_app``."""
    api_app.include_router(pages.router)
    api_app.include_router(insights.router)
    api_app.include_router(codes.router)
    api_app.include_router(notice_pages.router)
    api_app.include_router(api.router)
    api_app.include_router(notice_api.router)
    api_app.mount("/ws/static", StaticFiles(directory=STATIC), name="ws-static")
    api_app.add_exception_handler(LoginRequired, _login_required)  # type: ignore[arg-type]
    api_app.add_exception_handler(NotVisible, _not_visible)  # type: ignore[arg-type]
    api_app.add_exception_handler(NotAllowed, _not_allowed)  # type: ignore[arg-type]
    api_app.add_exception_handler(NoNotice, notice_pages.refused)
    api_app.add_exception_handler(NotSender, notice_pages.refused)
    csp = CSP.format(tiles=tile_host).replace("  ", " ")
    api_app.add_middleware(_WorkspaceResponses, csp=csp)


class _WorkspaceResponses:
    """Security and cache headers on the workspace's responses, and gzip for what a slow
    link fetches (pages, the web chat, the stylesheet, htmx: 52 KB -> 16 KB) when asked.

    Plain ASGI, and only for the workspace's paths: the simulator and the webhooks (every
    resident's message) go straight through, untouched (a Starlette ``BaseHTTPMiddleware``
    cost them a task and two streams per request; ``docs/benchmarks.md``).
    """

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self._app = app
        self._gzip = GZipMiddleware(self._with_headers, minimum_size=1024)
        self._csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path == "/" or path.startswith(("/ws", "/api/v1", "/static/")):
            await self._gzip(scope, receive, send)
        else:
            await self._app(scope, receive, send)

    async def _with_headers(self, scope: Scope, receive: Receive, send: Send) -> None:
        extra = self._extra(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and extra:
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
            await send(message)

        await self._app(scope, receive, send_with_headers)

    def _extra(self, path: str) -> dict[str, str]:
        if path.startswith(VENDOR):  # versioned file names: never changes under one name
            return {"Cache-Control": "public, max-age=31536000, immutable"}
        if path.startswith("/ws/static/"):
            return {"Cache-Control": "public, max-age=3600"}
        if not path.startswith(("/ws", "/api/v1")):
            return {}
        extra = {
            "Cache-Control": "no-store",  # personal data: never cached
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }
        if path.startswith("/ws"):
            extra.update({"Content-Security-Policy": self._csp, "X-Frame-Options": "DENY"})
        return extra


async def _login_required(request: Request, exc: LoginRequired) -> Response:
    target = f"/ws/login?next={exc.next_url}"
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _not_visible(request: Request, exc: NotVisible) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": "report not found"}, status_code=404)
    return pages.render(request, "error.html", {"who": getattr(request.state, "principal", None),
                        "title": "Không tìm thấy", "notice": None,
                        "message": "Không có phản ánh này."}, 404)  # fmt: skip


async def _not_allowed(request: Request, exc: NotAllowed) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": "this role is read-only"}, status_code=403)
    message = "Tài khoản này chỉ được xem, không được thay đổi."
    who = getattr(request.state, "principal", None)
    ctx = {"who": who, "title": "Chỉ được xem", "notice": None, "message": message}
    return pages.render(request, "error.html", ctx, 403)
