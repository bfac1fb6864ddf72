"""Simulator channel: ``POST /sim/messages`` — the embedded default channel and the test surface
— and ``GET /sim/outbox/{user}``: what the bot sent that simulated person on its own (an
alert, a status change, an officer's reply, a notice), as the queue sent it.

The request names the channel to *render* for (telegram, zalo, sms); the conversation itself is
keyed by ``user`` alone, so switching the rendering keeps the conversation.

The simulator files reports without any channel's authentication, so it answers only while
``Settings.simulator_enabled`` (off when ``BANBOT_ENV=production`` unless
``BANBOT_WORKSPACE__SIMULATOR=true``); otherwise every route here is a plain 404.
"""

from __future__ import annotations

import uuid
from math import ceil
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.app import App
from bot.domain.messages import Inbound, Location, Reply
from bot.flood import sender_tag
from bot.i18n import system_text
from bot.outage import is_outage
from bot.outbound.limiter import Rate
from bot.pipeline import Outcome
from bot.ports import StoreUnavailable
from bot.render.render import render
from bot.web.params import RowId


async def simulator_enabled(request: Request) -> None:
    """404 unless the running bot's settings enable the simulator."""
    bot: App = request.app.state.bot
    if not bot.settings.simulator_enabled:
        raise HTTPException(404, "Not Found")


async def within_ip_rate(request: Request) -> None:
    """429 past ``InputLimits.ip_per_minute`` messages from one client IP: a simulated user
    name costs nothing to change, the IP does (the address's own limit is the pipeline's)."""
    bot: App = request.app.state.bot
    if bot.channels is None:
        return
    per_minute = bot.settings.limits.ip_per_minute
    rate = Rate(per_second=per_minute / 60, burst=max(1.0, per_minute / 6))
    ip = request.client.host if request.client else "-"
    try:
        wait = await bot.channels.limiter.try_acquire(f"sim-ip:{sender_tag(ip)}", rate)
    except Exception as exc:
        if not is_outage(exc):
            raise
        return  # the limiter's Redis is down: fail open (the pipeline answers with an apology)
    if wait > 0:
        raise HTTPException(429, "too many messages", headers={"Retry-After": str(ceil(wait))})


router = APIRouter(prefix="/sim", tags=["simulator"], dependencies=[Depends(simulator_enabled)])

UserId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\w.@+-]+$")]


class SimLocation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class SimMessage(BaseModel):
    """One message typed or clicked in the simulator."""

    model_config = ConfigDict(extra="forbid")
    user: UserId
    channel: Literal["telegram", "zalo", "sms"] = "telegram"
    text: str = Field("", max_length=20_000)
    button: str | None = Field(None, max_length=64)
    location: SimLocation | None = None
    media: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=list, max_length=5
    )
    message_id: str | None = Field(None, max_length=100, description="For dedupe tests.")


class SimButton(BaseModel):
    title: str
    payload: str


class SimReply(BaseModel):
    text: str
    buttons: list[SimButton] = []
    request: str | None = None
    segments: int | None = None
    encoding: str | None = None


class SimResponse(BaseModel):
    replies: list[SimReply]
    duplicate: bool = False


@router.post("/messages", dependencies=[Depends(within_ip_rate)])
async def post_message(body: SimMessage, request: Request) -> SimResponse:
    bot: App = request.app.state.bot
    inbound = Inbound(
        adapter="sim",
        address=f"sim:{body.user}",
        external_id=body.message_id or uuid.uuid4().hex,
        text=body.text,
        button=body.button,
        location=Location(body.location.lat, body.location.lon) if body.location else None,
        media=tuple(body.media),
        rendering=body.channel,
    )
    try:
        outcome = await bot.pipeline.handle(inbound)
    except StoreUnavailable:  # the database is down: nothing of it ran; write again later
        language = bot.settings.default_language
        outcome = Outcome([Reply(system_text("unavailable", language))], language=language)
    rendered = render(
        outcome.replies,
        body.channel,
        sms_max_segments=bot.settings.sms_max_segments,
        sms_unaccented=bot.settings.sms_unaccented,
        numbered_hint=bot.engine.text("sms.numbered_hint", outcome.language),
    )
    return SimResponse(
        replies=[
            SimReply(
                text=m.text,
                buttons=[SimButton(title=b.title, payload=b.payload) for b in m.buttons],
                request=m.request,
                segments=m.segments,
                encoding=m.encoding,
            )
            for m in rendered
        ],
        duplicate=outcome.duplicate,
    )


class OutboxButton(BaseModel):
    title: str
    payload: str


class OutboxMessage(BaseModel):
    id: int
    kind: str  # alert, status, officer_reply, notice, system
    text: str
    buttons: list[OutboxButton] = []
    at: str  # when it was sent (ISO 8601, UTC)


class Outbox(BaseModel):
    messages: list[OutboxMessage]


@router.get("/outbox/{user}")
async def outbox(user: UserId, request: Request, after: RowId = 0) -> Outbox:
    """Messages the bot started itself to ``sim:<user>`` and has sent, oldest first (``after``:
    only those with a greater id, for polling)."""
    bot: App = request.app.state.bot
    async with bot.store.read() as tx:
        rows = await tx.outbound.pushed_to(f"sim:{user}", after=after)
    return Outbox(
        messages=[
            OutboxMessage(
                id=r.id,
                kind=r.kind,
                text=r.text,
                buttons=[OutboxButton(title=t, payload=p) for t, p in r.buttons],
                at=r.updated_at.isoformat(),
            )
            for r in rows
        ]
    )
