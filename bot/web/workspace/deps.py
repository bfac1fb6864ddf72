"""Request dependencies of the workspace: the context, the caller, CSRF.

Pages and the API share one rule for who the caller is (cookie ``banbot_ws`` or
``Authorization: Bearer``) and differ only in what an anonymous caller gets: pages redirect
to the login form, the API answers 401.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from bot.app import App
from bot.config import WorkspaceSettings
from bot.reports.urgency import load_urgency_rules
from bot.web.workspace.auth import Principal, authenticate
from bot.web.workspace.messenger import ResidentMessenger, messenger_for
from bot.web.workspace.views import Presenter
from bot.web.workspace.workflow import Workflow, load_workflow

COOKIE = "banbot_ws"
LOGIN_CSRF_COOKIE = "banbot_ws_login"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Workspace:
    """What every workspace request needs; built once per application."""

    bot: App
    workflow: Workflow
    messenger: ResidentMessenger
    presenter: Presenter
    clock: Callable[[], datetime] = field(default=_utcnow)

    @property
    def cfg(self) -> WorkspaceSettings:
        return self.bot.settings.workspace

    def now(self) -> datetime:
        return self.clock()

    def cookie_secure(self) -> bool:
        if self.cfg.cookie_secure is not None:
            return self.cfg.cookie_secure
        return self.bot.settings.env not in ("development", "test")


def workflow_path(bot: App) -> Path:
    return bot.settings.data_dir / "workspace.yml"


def get_workspace(request: Request) -> Workspace:
    """The application's workspace context, built on first use from ``app.state.bot``.

    ``app.state.ws_messenger`` / ``app.state.ws_clock`` (set by ``create_app``) replace the
    messenger and the clock, for tests.
    """
    state = request.app.state
    ws: Workspace | None = getattr(state, "workspace", None)
    if ws is None or ws.bot is not state.bot:
        bot: App = state.bot
        messenger = getattr(state, "ws_messenger", None) or messenger_for(bot)
        urgency = load_urgency_rules(bot.settings.data_dir / "urgency.yml")
        ws = Workspace(bot, load_workflow(workflow_path(bot)), messenger, Presenter(bot, urgency))
        clock = getattr(state, "ws_clock", None)
        if clock is not None:
            ws.clock = clock
        state.workspace = ws
    return ws


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _token(request: Request) -> tuple[str | None, bool]:
    """The session token and whether it came from the cookie (which needs CSRF on writes)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    return request.cookies.get(COOKIE), True


async def caller(request: Request, ws: WorkspaceDep) -> Principal | None:
    """The logged-in caller, or None. Cached on the request."""
    if hasattr(request.state, "principal"):
        found: Principal | None = request.state.principal
        return found
    token, from_cookie = _token(request)
    principal = None
    if token:
        principal = await authenticate(ws.bot.store, ws.cfg, ws.workflow, token, now=ws.now())
    request.state.principal = principal
    request.state.cookie_auth = from_cookie
    return principal


class LoginRequired(Exception):
    """A page was asked for without a session: the handler redirects to the login form."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


async def page_user(
    request: Request, principal: Annotated[Principal | None, Depends(caller)]
) -> Principal:
    if principal is None:
        raise LoginRequired(str(request.url.path))
    return principal


async def api_user(principal: Annotated[Principal | None, Depends(caller)]) -> Principal:
    if principal is None:
        raise HTTPException(401, "login required", headers={"WWW-Authenticate": "Bearer"})
    return principal


PageUser = Annotated[Principal, Depends(page_user)]
ApiUser = Annotated[Principal, Depends(api_user)]


def csrf_ok(principal: Principal, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(principal.csrf, given or "")


async def require_csrf(request: Request, principal: PageUser) -> Principal:
    """Every state-changing form: the session's CSRF token in the form or the header."""
    given = request.headers.get(CSRF_HEADER)
    if not given:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not csrf_ok(principal, given):
        raise HTTPException(403, "CSRF token missing or wrong")
    return principal


async def api_write_user(request: Request, principal: ApiUser) -> Principal:
    """API writes: a Bearer token needs nothing more; a cookie needs the CSRF header."""
    if getattr(request.state, "cookie_auth", False) and not csrf_ok(
        principal, request.headers.get(CSRF_HEADER)
    ):
        raise HTTPException(403, "CSRF token missing or wrong")
    return principal


FormUser = Annotated[Principal, Depends(require_csrf)]
ApiWriter = Annotated[Principal, Depends(api_write_user)]
