"""Each HTTP request's id, on its log lines and in its answer (``X-Request-ID``).

A well-formed id sent by the caller (a proxy's) is kept so one request can be followed across
systems; anything else is replaced by a fresh one. The id is bound in the log context for the
whole request, and for the background work it starts (a webhook's pipeline run copies the
context when its task is created), so every line it causes carries ``request_id``.
"""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.contextvars import bound_contextvars

HEADER = b"x-request-id"
_WELL_FORMED = re.compile(rb"[A-Za-z0-9._-]{8,64}")


class RequestIds:
    """Pure ASGI middleware (no body buffering, streaming answers untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or ()).get(HEADER, b"")
        rid = given.decode() if _WELL_FORMED.fullmatch(given) else uuid.uuid4().hex[:16]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != HEADER]
                message["headers"] = [*headers, (HEADER, rid.encode())]
            await send(message)

        with bound_contextvars(request_id=rid):
            await self.app(scope, receive, send_with_id)
