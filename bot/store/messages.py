"""The conversation log: what a contact sent while a journey or an officer conversation was
open, and what was sent to them (``outbound_messages``), read back as one timeline.

Only messages that matter to an officer are logged in: a greeting or a look at the menu costs
no write (the pipeline decides; see ``Pipeline._log_inbound``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import InboundMessageRow, OutboundMessage
from bot.store.records import LoggedMessage
from bot.store.types import nfc_deep, utcnow


class MessageRepo:
    """The conversation log inside one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def log_inbound(
        self,
        *,
        contact_id: int,
        adapter: str,
        urn: str,
        text: str,
        external_id: str | None = None,
        button: str | None = None,
        media: Sequence[str] = (),
        lat: float | None = None,
        lon: float | None = None,
        at: datetime | None = None,
    ) -> int:
        row = InboundMessageRow(
            contact_id=contact_id, adapter=adapter, urn=urn, external_id=external_id,
            text=nfc_deep(text), button=button, media=list(media), lat=lat, lon=lon,
            at=at or utcnow(),
        )  # fmt: skip
        self._s.add(row)
        await self._s.flush()
        return row.id

    async def conversation(
        self, contact_id: int, since: datetime | None = None, limit: int = 50
    ) -> list[LoggedMessage]:
        """Both directions, oldest first: the last ``limit`` messages (after ``since``)."""
        ins = select(InboundMessageRow).where(InboundMessageRow.contact_id == contact_id)
        outs = select(OutboundMessage).where(OutboundMessage.contact_id == contact_id)
        if since is not None:
            ins = ins.where(InboundMessageRow.at >= since)
            outs = outs.where(OutboundMessage.created_at >= since)
        inbound = await self._s.scalars(
            ins.order_by(InboundMessageRow.at.desc(), InboundMessageRow.id.desc()).limit(limit)
        )
        outbound = await self._s.scalars(
            outs.order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc()).limit(limit)
        )
        items = [
            LoggedMessage("in", r.text, r.at, r.adapter, "message", tuple(r.media), r.button)
            for r in inbound
        ] + [
            LoggedMessage("out", r.text, r.created_at, r.adapter, r.kind, status=r.status)
            for r in outbound
        ]
        items.sort(key=lambda m: m.at)
        return items[-limit:]
