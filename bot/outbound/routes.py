"""Which way to reach a contact: "send this to contact 42" -> adapter, address, rendering.

A contact has addresses (URNs); each scheme is carried by one adapter, except ``tel:``, which
either SMS adapter can carry: settings decide (``sms_route``; "auto": a Vietnamese number goes
through the Android gateway on a Vietnamese SIM, the only two-way SMS inside Vietnam, others
through Twilio). An adapter may refuse an address for now (Zalo outside its free reply window:
:meth:`bot.ports.ChannelAdapter.reachable`); the router then takes the next way and says why.

Order of preference:

- ``reply`` lane (alerts, status changes, officer replies): the address the person used last
  (they are looking at that phone), then the others by recency;
- ``bulk`` lane (notices): the cheapest first — Zalo (free inside the reply window, or paid
  quota), Telegram, Zalo Bot, simulator, SMS last (paid per segment).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.channels.phones import normalize_phone
from bot.config import Settings
from bot.ports import ChannelAdapter
from bot.store.records import Address, ContactRecord

SCHEME_ADAPTERS: Mapping[str, tuple[str, ...]] = {
    "telegram": ("telegram",),
    "zalo": ("zalo",),
    "zalobot": ("zalo_bot",),
    "sim": ("sim",),
    "tel": ("android_sms", "twilio_sms"),
}
BULK_ORDER: Mapping[str, int] = {"zalo": 0, "telegram": 1, "zalobot": 2, "sim": 3, "tel": 4}
NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Route:
    """One way to reach a contact."""

    adapter: str
    urn: str
    rendering: str


@dataclass(frozen=True, slots=True)
class RouteChoice:
    """The chosen route (None: no way right now) and every way passed over, with why."""

    route: Route | None
    passed: tuple[tuple[str, str], ...] = ()  # (adapter, reason code)

    @property
    def reason(self) -> str | None:
        """Why nothing was chosen, or why the first choice was not taken."""
        if self.route is None:
            return self.passed[-1][1] if self.passed else "no_address"
        return self.passed[0][1] if self.passed else None


class Router:
    """Routes over the enabled adapters (``adapters``: name -> adapter)."""

    def __init__(self, adapters: Mapping[str, ChannelAdapter], settings: Settings) -> None:
        self._adapters = adapters
        self._sms_route = settings.sms_route

    def adapters_for(self, address: Address) -> list[str]:
        """Enabled adapters that can carry ``address``, preferred first."""
        names = list(SCHEME_ADAPTERS.get(address.scheme, ()))
        if address.scheme == "tel":
            names = self._sms_order(address.urn)
        return [n for n in names if n in self._adapters]

    def _sms_order(self, urn: str) -> list[str]:
        if self._sms_route != "auto":
            other = "twilio_sms" if self._sms_route == "android_sms" else "android_sms"
            return [self._sms_route, other]
        number = normalize_phone(urn.removeprefix("tel:")) or ""
        if number.startswith("+84"):
            return ["android_sms", "twilio_sms"]
        return ["twilio_sms", "android_sms"]

    def candidates(self, contact: ContactRecord, lane: str) -> list[Route]:
        """Every (adapter, address) for ``contact`` in the lane's order of preference."""
        if lane == "bulk":
            addresses = sorted(
                contact.addresses, key=lambda a: (BULK_ORDER.get(a.scheme, 9), a.urn)
            )
        else:
            addresses = sorted(
                contact.addresses, key=lambda a: (a.last_seen_at or NEVER, a.urn), reverse=True
            )
        routes = []
        for address in addresses:
            for name in self.adapters_for(address):
                rendering = self._adapters[name].rendering
                if name == "sim":
                    rendering = address.rendering or "telegram"
                routes.append(Route(name, address.urn, rendering))
        return routes

    async def pick(
        self, contact: ContactRecord, lane: str, *, exclude: Collection[str] = ()
    ) -> RouteChoice:
        """The first candidate whose adapter can write to it now (``exclude``: adapters
        already tried for this message)."""
        passed: list[tuple[str, str]] = []
        for route in self.candidates(contact, lane):
            if route.adapter in exclude:
                continue
            reason = await self._adapters[route.adapter].reachable(route.urn)
            if reason is None:
                return RouteChoice(route, tuple(passed))
            passed.append((route.adapter, reason))
        return RouteChoice(None, tuple(passed))

    async def pick_many(
        self, contacts: Sequence[ContactRecord], lane: str
    ) -> dict[int, RouteChoice]:
        """:meth:`pick` for a whole audience: one reachability check per adapter."""
        candidates = {c.id: self.candidates(c, lane) for c in contacts}
        by_adapter: dict[str, set[str]] = defaultdict(set)
        for routes in candidates.values():
            for route in routes:
                by_adapter[route.adapter].add(route.urn)
        refused: dict[tuple[str, str], str] = {}
        for name, urns in by_adapter.items():
            shut = await self._adapters[name].reachable_many(sorted(urns))
            refused.update({(name, urn): why for urn, why in shut.items()})
        chosen: dict[int, RouteChoice] = {}
        for cid, routes in candidates.items():
            passed: list[tuple[str, str]] = []
            pick = None
            for route in routes:
                why = refused.get((route.adapter, route.urn))
                if why is None:
                    pick = route
                    break
                passed.append((route.adapter, why))
            chosen[cid] = RouteChoice(pick, tuple(passed))
        return chosen
