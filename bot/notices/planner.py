"""Planning a notice: its audience, each person's way, one message row each — in bulk.

For 100,000 people this is a few queries, not 100,000 round trips: the audience comes in one
query with every address; the Zalo reply windows of all of them in one read
(:meth:`bot.outbound.routes.Router.pick_many`); the words are rendered once per (adapter,
rendering, language), not per person; the rows go in by thousands, each keyed
``notice:<id>:<contact>:<part>`` so planning twice sends once. The pumps of the adapters used
are woken after the commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.domain.messages import Button, Outbound, Reply
from bot.outbound.routes import Route, Router
from bot.ports import ChannelAdapter, PlaceLookup
from bot.render.sms import segment_info, unaccent
from bot.store.notices import NoticeRecord
from bot.store.records import ContactRecord
from bot.store.repo import Tx
from bot.store.types import utcnow
from bot.store.work import Work

Texts = Callable[..., str]
SAFETY = "sys:safety:"  # + "<notice id>:safe" / ":help": the warning's two buttons
PLACEHOLDER = "tel:+84000000000"  # rendering does not depend on the address


@dataclass(frozen=True, slots=True)
class Preview:
    """What a notice would do now: people per adapter, SMS segments, the cost estimate."""

    people: int
    by_adapter: Mapping[str, int]
    unreachable: int
    sms_messages: int
    sms_segments: int
    sms_cost_vnd: int

    def as_json(self) -> dict[str, Any]:
        return {
            "people": self.people, "by_adapter": dict(self.by_adapter),
            "unreachable": self.unreachable, "sms_messages": self.sms_messages,
            "sms_segments": self.sms_segments, "sms_cost_vnd": self.sms_cost_vnd,
        }  # fmt: skip


class Planner:
    def __init__(
        self,
        adapters: Mapping[str, ChannelAdapter],
        router: Router,
        texts: Texts,
        places: PlaceLookup,
        *,
        sms_price_vnd: int,
    ) -> None:
        self._adapters = adapters
        self._router = router
        self._t = texts
        self._places = places
        self._price = sms_price_vnd

    def words(self, notice: NoticeRecord, rendering: str, language: str) -> list[Reply]:
        """The notice as a person sees it: who sends, what, and (a disaster warning that asks)
        how to answer."""
        t = self._t
        text = t(
            f"broadcast.{notice.topic}",
            language,
            rendering,
            sender=self.sender_title(notice, language),
            text=notice.text,
        )
        buttons: tuple[Button, ...] = ()
        if notice.ask_safety:
            text += " " + t("broadcast.answer_hint", language, rendering)
            buttons = (
                Button(t("broadcast.safe_btn", language), f"{SAFETY}{notice.id}:safe"),
                Button(t("broadcast.help_btn", language), f"{SAFETY}{notice.id}:help"),
            )
        if rendering == "sms":
            text += " " + t("broadcast.stop_sms", language)
            if notice.unaccented:
                text = unaccent(text)
            buttons = ()
        return [Reply(text, buttons)]

    def sender_title(self, notice: NoticeRecord, language: str) -> str:
        if notice.sender_role == "head" and notice.village_ids:
            village = self._places.village(notice.village_ids[0])
            place = village.display_name if village else notice.village_ids[0]
            return self._t("broadcast.from_head", language, place=place)
        commune = self._places.commune(notice.commune_code) if notice.commune_code else None
        if commune is not None:
            return self._t("broadcast.from_commune", language, place=commune.display_name)
        return self._t("broadcast.from_bot", language)

    async def audience(self, tx: Tx, notice: NoticeRecord) -> list[ContactRecord]:
        return await tx.notices.audience(
            topic=notice.topic, commune_code=notice.commune_code,
            village_ids=notice.village_ids, everyone=notice.topic == "disaster_warnings",
        )  # fmt: skip

    async def preview(self, tx: Tx, notice: NoticeRecord) -> Preview:
        people = await self.audience(tx, notice)
        routes = await self._router.pick_many(people, "bulk")
        by_adapter: Counter[str] = Counter()
        sms_messages = sms_segments = 0
        cache: dict[tuple[str, str, str], list[Outbound]] = {}
        for person in people:
            route = routes[person.id].route
            if route is None:
                continue
            by_adapter[route.adapter] += 1
            if route.rendering == "sms":
                rendered = self._render(cache, notice, route, person.language)
                sms_messages += len(rendered)
                sms_segments += sum(_segments(m) for m in rendered)
        unreachable = len(people) - sum(by_adapter.values())
        return Preview(
            len(people), dict(by_adapter), unreachable, sms_messages, sms_segments,
            sms_segments * self._price,
        )  # fmt: skip

    async def plan(self, tx: Tx, notice: NoticeRecord, now: datetime | None = None) -> int:
        """Record every person's message(s); returns how many people are reached."""
        people = await self.audience(tx, notice)
        routes = await self._router.pick_many(people, "bulk")
        cache: dict[tuple[str, str, str], list[Outbound]] = {}
        rows: list[dict[str, Any]] = []
        adapters: set[str] = set()
        stamp = now or utcnow()
        reached = 0
        for person in people:
            route = routes[person.id].route
            if route is None:
                continue
            reached += 1
            adapters.add(route.adapter)
            for n, out in enumerate(self._render(cache, notice, route, person.language)):
                rows.append(_row(notice, person.id, route, out, n, stamp))
        await tx.notices.add_deliveries(rows)
        for adapter in sorted(adapters):  # wake the pumps (after the commit)
            tx.work.append(Work("pump", 0, "bulk", None, adapter))
        return reached

    def _render(
        self,
        cache: dict[tuple[str, str, str], list[Outbound]],
        notice: NoticeRecord,
        route: Route,
        language: str,
    ) -> list[Outbound]:
        key = (route.adapter, route.rendering, language)
        if key not in cache:
            words = self.words(notice, route.rendering, language)
            adapter = self._adapters[route.adapter]
            cache[key] = adapter.render(PLACEHOLDER, words, language, route.rendering)
        return [replace(m, address=route.urn) for m in cache[key]]


def _segments(message: Outbound) -> int:
    given = message.meta.get("segments")
    return given if isinstance(given, int) and given > 0 else segment_info(message.text).segments


def _row(
    notice: NoticeRecord, contact_id: int, route: Route, out: Outbound, part: int, now: datetime
) -> dict[str, Any]:
    return {
        "contact_id": contact_id, "adapter": route.adapter, "urn": route.urn,
        "rendering": route.rendering, "kind": "notice", "text": out.text,
        "buttons": [[b.title, b.payload] for b in out.buttons], "request": out.request,
        "meta": dict(out.meta), "status": "queued",
        "idempotency_key": f"notice:{notice.id}:{contact_id}:{part}", "not_before": None,
        "external_id": None, "error_kind": None, "error_code": None,
        "segments": _segments(out) if route.rendering == "sms" else None, "attempts": 0,
        "priority": "bulk", "notice_id": notice.id, "created_at": now, "updated_at": now,
    }  # fmt: skip
