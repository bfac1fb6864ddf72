"""The Router: "send this to contact 42" -> adapter, address, rendering, and why a way was
passed over. No database: contacts are records, adapters recording fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.outbound.routes import Route, Router
from bot.ports import ChannelAdapter
from bot.store.records import Address, ContactRecord
from tests.channels.fakes import FakeAdapter

from .harness import fake

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
ALL = ("telegram", "zalo", "zalo_bot", "sim", "android_sms", "twilio_sms")


def router(*names: str, sms_route: str = "auto") -> tuple[Router, dict[str, FakeAdapter]]:
    adapters = {n: fake(n) for n in names}
    ports: dict[str, ChannelAdapter] = dict(adapters)
    return Router(ports, Settings(env="test", sms_route=sms_route)), adapters  # type: ignore[call-arg, arg-type]


def contact(*addresses: Address) -> ContactRecord:
    return ContactRecord(
        id=42, language="vi", role="resident", village_id=None, notice_seen=True,
        stopped=False, urns=tuple(sorted(a.urn for a in addresses)), addresses=addresses,
    )  # fmt: skip


def seen(urn: str, minutes_ago: float | None = None, rendering: str | None = None) -> Address:
    at = None if minutes_ago is None else T0 - timedelta(minutes=minutes_ago)
    return Address(urn, urn.partition(":")[0], None, rendering, at)


EVERY_WAY = contact(
    seen("tel:+84912345678", 1),
    seen("sim:an", 50),
    seen("zalobot:7", 40),
    seen("telegram:5", 30),
    seen("zalo:9", 20),
)


class TestLanes:
    async def test_reply_lane_prefers_the_address_used_last(self) -> None:
        r, _ = router(*ALL)
        routes = r.candidates(EVERY_WAY, "reply")
        assert [x.urn for x in routes] == [
            "tel:+84912345678", "tel:+84912345678", "zalo:9", "telegram:5", "zalobot:7", "sim:an",
        ]  # fmt: skip
        choice = await r.pick(EVERY_WAY, "reply")
        assert choice.route == Route("android_sms", "tel:+84912345678", "sms")
        assert choice.passed == () and choice.reason is None

    async def test_an_address_never_used_comes_last_in_the_reply_lane(self) -> None:
        r, _ = router(*ALL)
        shared_only = contact(seen("tel:+84912345678"), seen("telegram:5", 60 * 24 * 30))
        choice = await r.pick(shared_only, "reply")
        assert choice.route == Route("telegram", "telegram:5", "telegram")

    async def test_bulk_lane_goes_cheapest_first(self) -> None:
        r, _ = router(*ALL)
        order = [(x.adapter, x.urn) for x in r.candidates(EVERY_WAY, "bulk")]
        assert order == [
            ("zalo", "zalo:9"),
            ("telegram", "telegram:5"),
            ("zalo_bot", "zalobot:7"),
            ("sim", "sim:an"),
            ("android_sms", "tel:+84912345678"),
            ("twilio_sms", "tel:+84912345678"),
        ]
        assert (await r.pick(EVERY_WAY, "bulk")).route == Route("zalo", "zalo:9", "zalo")

    async def test_zalo_outside_its_free_window_is_passed_over_with_the_reason(self) -> None:
        r, adapters = router(*ALL)
        adapters["zalo"].unreachable["zalo:9"] = "zalo_window_closed"
        choice = await r.pick(EVERY_WAY, "bulk")
        assert choice.route == Route("telegram", "telegram:5", "telegram")
        assert choice.passed == (("zalo", "zalo_window_closed"),)
        assert choice.reason == "zalo_window_closed"  # the caller learns why not Zalo

    async def test_nobody_reachable_says_why(self) -> None:
        r, adapters = router("zalo", "telegram")
        adapters["zalo"].unreachable["zalo:9"] = "zalo_window_closed"
        choice = await r.pick(contact(seen("zalo:9", 1)), "reply")
        assert choice.route is None and choice.reason == "zalo_window_closed"
        nothing = await r.pick(contact(), "reply")
        assert nothing.route is None and nothing.reason == "no_address"

    async def test_exclude_skips_adapters_already_tried(self) -> None:
        r, _ = router(*ALL)
        choice = await r.pick(EVERY_WAY, "bulk", exclude=["zalo", "telegram"])
        assert choice.route == Route("zalo_bot", "zalobot:7", "telegram")
        assert choice.passed == ()  # excluded is not "passed over"


class TestSms:
    @pytest.mark.parametrize(
        ("number", "first"),
        [
            ("tel:+84912345678", "android_sms"),
            ("tel:0912345678", "android_sms"),  # a local number is Vietnamese
            ("tel:+14155550100", "twilio_sms"),
            ("tel:+447700900123", "twilio_sms"),
        ],
    )
    def test_auto_sends_vietnamese_numbers_through_the_android_gateway(
        self, number: str, first: str
    ) -> None:
        r, _ = router("android_sms", "twilio_sms")
        address = seen(number, 1)
        other = "twilio_sms" if first == "android_sms" else "android_sms"
        assert r.adapters_for(address) == [first, other]

    @pytest.mark.parametrize("setting", ["android_sms", "twilio_sms"])
    def test_the_setting_overrides_the_country(self, setting: str) -> None:
        r, _ = router("android_sms", "twilio_sms", sms_route=setting)
        for number in ("tel:+84912345678", "tel:+14155550100"):
            assert r.adapters_for(seen(number, 1))[0] == setting

    async def test_the_only_sms_adapter_enabled_carries_every_number(self) -> None:
        r, _ = router("twilio_sms", "telegram")
        choice = await r.pick(contact(seen("tel:+84912345678", 1)), "reply")
        assert choice.route == Route("twilio_sms", "tel:+84912345678", "sms")


class TestEnabled:
    async def test_disabled_adapters_are_skipped(self) -> None:
        r, _ = router("telegram", "android_sms")  # no Zalo, no Zalo Bot, no simulator
        assert [x.adapter for x in r.candidates(EVERY_WAY, "bulk")] == ["telegram", "android_sms"]
        assert (await r.pick(EVERY_WAY, "bulk")).route == Route(
            "telegram", "telegram:5", "telegram"
        )

    def test_an_unknown_scheme_has_no_route(self) -> None:
        r, _ = router(*ALL)
        assert r.candidates(contact(seen("fax:123", 1)), "reply") == []


class TestSimulator:
    @pytest.mark.parametrize("chosen", ["sms", "zalo", "telegram"])
    async def test_the_simulator_renders_as_the_person_last_chose(self, chosen: str) -> None:
        r, _ = router(*ALL)
        person = contact(seen("sim:an", 1, rendering=chosen))
        assert (await r.pick(person, "reply")).route == Route("sim", "sim:an", chosen)

    async def test_a_simulated_person_who_never_chose_sees_telegram(self) -> None:
        r, _ = router("sim")
        route = (await r.pick(contact(seen("sim:an", 1)), "bulk")).route
        assert route == Route("sim", "sim:an", "telegram")
