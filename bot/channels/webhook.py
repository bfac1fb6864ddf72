"""The one webhook route every adapter shares: ``POST /webhooks/{name}``.

Authenticity is checked before anything else is read; a rejected request changes nothing.
The route answers as soon as the parsed messages are handed to the sink (which dedupes and
schedules processing), so providers get their 200 quickly and do not retry needlessly; 503
with ``Retry-After`` when the sink cannot take them now (``Unavailable``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Request, Response

from bot.channels.base import BadPayload, ParseResult, Unauthorized, Unavailable, WebhookRequest
from bot.ports import ChannelAdapter

log = logging.getLogger(__name__)

Sink = Callable[[ChannelAdapter, ParseResult], Awaitable[None]]
MAX_BODY = 1_000_000  # no provider sends more in one webhook; refuse before parsing
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


def webhook_router(adapters: Mapping[str, ChannelAdapter], sink: Sink) -> APIRouter:
    """Routes for the enabled adapters; unknown names are 404."""
    router = APIRouter(tags=["webhooks"])

    @router.post("/webhooks/{name}")
    async def receive(name: str, request: Request) -> Response:
        adapter = adapters.get(name)
        if adapter is None:
            return Response(status_code=404)
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return Response(status_code=413)
        wr = await webhook_request(request)
        try:
            await adapter.verify(wr)
        except Unauthorized as exc:
            log.warning("%s webhook rejected: %s", name, exc)
            return Response(status_code=exc.status)
        try:
            result = adapter.parse(wr)
        except BadPayload as exc:
            log.warning("%s webhook bad payload: %s", name, exc)
            return Response("bad payload", status_code=400)
        try:
            await sink(adapter, result)
        except Unavailable as exc:
            log.warning("%s webhook refused for now: %s", name, exc)
            return Response(status_code=503, headers={"Retry-After": str(RETRY_AFTER)})
        return Response(result.response_body, media_type=result.response_type)

    return router
