"""Refusing hostile bodies cheaply, before any route parses them.

Sizes are Starlette's own limit (``FastAPI(max_body_size=…)``, ``include_router(…,
max_body_size=…)``): it counts the body as it streams in and answers 413 as soon as the count
passes the limit, whatever ``Content-Length`` claimed (or when it is missing). This module
adds the other cheap refusal: JSON nested deeper than ``InputLimits.json_depth``. Python's
``json`` recurses once per level, so 64 KiB of ``[`` is a ``RecursionError`` deep inside a
route (a 500); here it is a 400 found with a few C-speed byte operations.

:class:`JsonDepthGuard` sits inside the app-wide size limit (the body it holds is bounded by
it) and outside every route; a body is held only while it is checked, then replayed.
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A JSON string with its escapes, matched without backtracking (possessive quantifiers).
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN = frozenset(b"[{")
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TOO_DEEP = json.dumps({"detail": "JSON nested too deeply"}).encode()


def too_deep(body: bytes, limit: int) -> bool:
    """True when ``body`` read as JSON opens more than ``limit`` arrays / objects at once.

    Brackets inside strings do not count. Not a JSON validator: a body that is not JSON at
    all is left to the route, which refuses it with its own reason.
    """
    if body.count(b"[") + body.count(b"{") <= limit:  # every ordinary body stops here
        return False
    depth = 0
    for byte in _STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        if byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class JsonDepthGuard:
    """ASGI middleware: a request body that looks like JSON (it starts with ``{`` or ``[``,
    whatever its content type: adapters parse their bodies themselves) and nests deeper than
    ``max_depth`` gets 400 ``{"detail": "JSON nested too deeply"}``; nothing else changes."""

    def __init__(self, app: ASGIApp, max_depth: int) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        held: list[Message] = []
        while True:
            message = await receive()
            held.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.request")
        if body.lstrip()[:1] in (b"{", b"[") and too_deep(body, self.max_depth):
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": TOO_DEEP})
            return

        async def replay() -> Message:
            return held.pop(0) if held else await receive()

        await self.app(scope, replay, send)
