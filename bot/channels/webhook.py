"""The one webhook route every adapter shares: ``POST /webhooks/{name}``.

Authenticity is checked before anything else is read; a rejected request changes nothing.
The route answers as soon as the parsed messages are handed to the sink (which dedupes and
schedules processing), so providers get their 200 quickly and do not retry needlessly.
A body over ``max_body_size`` gets 413, counted as it streams in (``Content-Length`` alone
proves nothing). A body nested deeper than ``max_json_depth`` gets 400 before any adapter
code runs (Zalo's signature check reads the body's ``timestamp``): ``json.loads`` recurses
once per level, so 64 KiB of ``[`` was a RecursionError, a 500. Both checks look at the
bytes only. ``create_app`` passes ``InputLimits``.
503 with ``Retry-After`` when the sink cannot take them now (``Unavailable``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import fields, replace
from typing import Any

from fastapi import APIRouter, Request, Response

from bot.channels.base import BadPayload, ParseResult, Unauthorized, Unavailable, WebhookRequest
from bot.ports import ChannelAdapter

log = logging.getLogger(__name__)

Sink = Callable[[ChannelAdapter, ParseResult], Awaitable[None]]
# A JSON string with its escapes, matched without backtracking (possessive quantifiers).
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN = frozenset(b"[{")
RETRY_AFTER = 30  # seconds, with a 503 (the bot cannot take the delivery now)


async def webhook_request(request: Request) -> WebhookRequest:
    """The request as the provider sent it, with the URL it called (proxy headers honoured)."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    proto = headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
    host = headers.get("x-forwarded-host", headers.get("host", request.url.netloc)).split(",")[0]
    url = f"{proto}://{host.strip()}{request.url.path}"
    if request.url.query:
        url += f"?{request.url.query}"
    return WebhookRequest(
        method=request.method,
        url=url,
        headers=headers,
        body=await request.body(),
        query=dict(request.query_params),
    )


def webhook_router(
    adapters: Mapping[str, ChannelAdapter],
    sink: Sink,
    *,
    max_body_size: int = 64 * 1024,
    max_json_depth: int = 32,
) -> APIRouter:
    """Routes for the enabled adapters; unknown names are 404."""
    router = APIRouter(tags=["webhooks"], max_body_size=max_body_size)

    @router.post("/webhooks/{name}")
    async def receive(name: str, request: Request) -> Response:
        adapter = adapters.get(name)
        if adapter is None:
            return Response(status_code=404)
        wr = await webhook_request(request)
        if too_deep(wr.body, max_json_depth):  # before verify: Zalo's reads the body's JSON
            return Response("JSON nested too deeply", status_code=400)
        try:
            await adapter.verify(wr)
        except Unauthorized as exc:
            log.warning("%s webhook rejected: %s", name, exc)
            return Response(str(exc), status_code=exc.status)  # a fixed reason, never input
        try:
            result = adapter.parse(wr)
        except BadPayload as exc:
            log.warning("%s webhook bad payload: %s", name, exc)
            return Response("bad payload", status_code=400)
        try:
            await sink(adapter, _scrubbed(result))
        except Unavailable as exc:
            log.warning("%s webhook refused for now: %s", name, exc)
            return Response(status_code=503, headers={"Retry-After": str(RETRY_AFTER)})
        return Response(result.response_body, media_type=result.response_type)

    return router


def _text(value: str) -> str:
    """``value`` with any lone surrogate (valid JSON: "\\ud800", never text) made U+FFFD."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def _clean(item: Any) -> Any:
    """A parsed dataclass whose strings (and tuples of strings) can all be encoded: a forged
    id with a lone surrogate reached the database driver and Redis keys (a 500)."""
    changes: dict[str, Any] = {}
    for f in fields(item):
        value = getattr(item, f.name)
        if isinstance(value, str):
            new: Any = _text(value)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            new = tuple(_text(v) for v in value)
        else:
            continue
        if new != value:
            changes[f.name] = new
    return replace(item, **changes) if changes else item


def _scrubbed(result: ParseResult) -> ParseResult:
    return replace(
        result,
        inbounds=[_clean(m) for m in result.inbounds],
        statuses=[_clean(s) for s in result.statuses],
        activity=[_clean(a) for a in result.activity],
    )


def too_deep(body: bytes, limit: int) -> bool:
    """True when ``body`` read as JSON opens more than ``limit`` arrays / objects at once.

    Brackets inside strings do not count. Not a validator: anything else is the adapter's to
    refuse. Cheap: an ordinary body has fewer brackets than ``limit`` in all (two C-speed
    counts); otherwise strings are cut out by one regular expression and the brackets left
    are walked until the limit is passed.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
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
