"""One contract for the SQL store, run against SQLite and PostgreSQL (see conftest.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import unicodedata
from datetime import UTC, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.store import NotFound, Store
from bot.store.models import Contact, Report, ReportEventRow
from bot.store.refs import ALPHABET

from .helpers import (
    BAN_PANH,
    CHIENG_AN,
    MAI_SON,
    MU_CA,
    NAM_NIEU,
    PREDECESSORS,
    TEXT_VI,
    TIEU_KHU_4,
    Boom,
    count,
    report,
    resident,
    scripted,
)


class TestStoreContract:
    # --- contacts ---------------------------------------------------------------------------

    async def test_get_or_create_is_stable_and_returns_plain_records(self, store: Store) -> None:
        async with store.transaction() as tx:
            a = await tx.contacts.get_or_create("zalo:456", "zalo", "vi")
            b = await tx.contacts.get_or_create("zalo:456", "zalo", "en")
        assert a == b
        assert (a.language, a.role, a.village_id, a.notice_seen, a.stopped) == (
            "vi",
            "resident",
            None,
            False,
            False,
        )
        assert a.urns == ("zalo:456",)
        with pytest.raises(dataclasses.FrozenInstanceError):
            a.role = "admin"  # type: ignore[misc]
        async with store.transaction() as tx:
            assert await tx.contacts.by_urn("zalo:999") is None
            with pytest.raises(ValueError, match="URN"):
                await tx.contacts.get_or_create("456", "zalo", "vi")

    async def test_contact_with_two_urns(self, store: Store) -> None:
        cid = await resident(store, "telegram:123")
        async with store.transaction() as tx:
            both = await tx.contacts.add_urn(cid, "tel:+84912345678")
            assert both.urns == ("tel:+84912345678", "telegram:123")
            via_sms = await tx.contacts.get_or_create("tel:+84912345678", "android_sms", "vi")
            assert (via_sms.id, via_sms.urns) == (both.id, both.urns)
            again = await tx.contacts.by_urn("telegram:123")
            assert again is not None and again.id == both.id
            # the URN remembers what carried it last, so the bot can write first
            address = again.address("tel:+84912345678")
            assert address is not None and address.adapter == "android_sms"
            assert address.scheme == "tel" and address.last_seen_at is not None
            other = await tx.contacts.get_or_create("sim:alice", "sim", "vi")
            with pytest.raises(ValueError, match="belongs to contact"):
                await tx.contacts.add_urn(other.id, "telegram:123", "telegram")
        assert await count(store, Contact) == 2

    async def test_update_changes_only_given_fields(self, store: Store) -> None:
        cid = await resident(store)
        async with store.transaction() as tx:
            c = await tx.contacts.update(cid, village_id="03664:panh", notice_seen=True)
            assert (c.village_id, c.notice_seen, c.language) == ("03664:panh", True, "vi")
            c = await tx.contacts.update(cid, language="en", role="head", stopped=True)
            assert (c.village_id, c.notice_seen, c.language) == ("03664:panh", True, "en")
            assert (c.role, c.stopped) == ("head", True)
            c = await tx.contacts.update(cid, village_id=None, notice_seen=False)
            assert (c.village_id, c.notice_seen) == (None, False)
            with pytest.raises(ValueError, match="role"):
                await tx.contacts.update(cid, role="mayor")
            with pytest.raises(NotFound):
                await tx.contacts.update(cid + 999, stopped=False)

    async def test_concurrent_first_messages_make_one_contact(self, store: Store) -> None:
        async def first_message() -> int:
            async with store.transaction() as tx:
                return (await tx.contacts.get_or_create("telegram:77", "telegram", "vi")).id

        ids = await asyncio.gather(*(first_message() for _ in range(4)))
        assert len(set(ids)) == 1
        assert await count(store, Contact) == 1

    # --- reports ----------------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("kind", "prefix"),
        [
            ("disaster", "TT"),
            ("household_change", "BD"),
            ("eligibility_request", "RS"),
            ("handover", "CB"),
        ],
    )
    async def test_reference_format(self, store: Store, kind: str, prefix: str) -> None:
        r = await report(store, await resident(store), type=kind)
        assert re.fullmatch(rf"{prefix}-[{ALPHABET}]{{6}}", r.ref)
        assert (r.type, r.status) == (kind, "new")

    async def test_references_are_unique(self, store: Store) -> None:
        cid = await resident(store)
        async with store.transaction() as tx:
            refs = {
                (await tx.reports.create(contact_id=cid, type="disaster")).ref for _ in range(60)
            }
        assert len(refs) == 60

    async def test_collision_draws_again(self, store_url: str, store: Store) -> None:
        cid = await resident(store)
        scripted_store = Store(store_url, codes=scripted("AAAAAA", "AAAAAA", "BBBBBB", "AAAAAA"))
        try:
            async with scripted_store.transaction() as tx:
                first = await tx.reports.create(contact_id=cid, type="disaster")
                again = await tx.reports.create(contact_id=cid, type="disaster")
                other_type = await tx.reports.create(contact_id=cid, type="handover")
        finally:
            await scripted_store.close()
        assert first.ref == "TT-AAAAAA"
        assert again.ref == "TT-BBBBBB"  # AAAAAA was taken, so it drew again
        assert other_type.ref == "CB-AAAAAA"  # same symbols, other prefix: no collision

    async def test_collision_with_a_concurrent_transaction(
        self, store_url: str, store: Store
    ) -> None:
        """The second writer cannot see the first's uncommitted row; it must still not fail."""
        cid = await resident(store)
        inserted = asyncio.Event()
        stores = [Store(store_url, codes=scripted("DDDDDD", "EEEEEE")) for _ in range(2)]

        async def first() -> str:
            async with stores[0].transaction() as tx:
                ref = (await tx.reports.create(contact_id=cid, type="disaster")).ref
                inserted.set()
                await asyncio.sleep(0.3)  # hold the transaction open while the other writes
            return ref

        async def second() -> str:
            await inserted.wait()
            async with stores[1].transaction() as tx:
                return (await tx.reports.create(contact_id=cid, type="disaster")).ref

        try:
            refs = await asyncio.gather(first(), second())
        finally:
            for s in stores:
                await s.close()
        assert list(refs) == ["TT-DDDDDD", "TT-EEEEEE"]

    async def test_collision_exhaustion_fails_and_keeps_nothing(
        self, store_url: str, store: Store
    ) -> None:
        cid = await resident(store)
        stuck = Store(store_url, codes=lambda: "CCCCCC")
        try:
            with pytest.raises(RuntimeError, match="no free reference"):
                async with stuck.transaction() as tx:
                    await tx.reports.create(contact_id=cid, type="disaster")
                    await tx.reports.create(contact_id=cid, type="disaster")
        finally:
            await stuck.close()
        assert await count(store, Report) == 0

    async def test_find_forgives_case_dash_and_spaces(self, store: Store) -> None:
        cid = await resident(store)
        r = await report(store, cid)
        code = r.ref[3:]
        async with store.transaction() as tx:
            for typed in (r.ref, r.ref.lower(), f"TT{code}", f"  tt{code.lower()} ", f"tt {code}"):
                assert await tx.reports.find(typed, cid) == r, typed
            assert await tx.reports.find("TT-2222222", cid) is None
            assert await tx.reports.find("hello", cid) is None

    async def test_only_own_reports_are_found(self, store: Store) -> None:
        alice = await resident(store, "sim:alice")
        bob = await resident(store, "sim:bob")
        r = await report(store, alice)
        async with store.transaction() as tx:
            assert await tx.reports.find(r.ref, bob) is None
            assert await tx.reports.find(r.ref, alice) == r
            assert await tx.reports.latest(bob, 5) == []

    async def test_status_history(self, store: Store) -> None:
        cid = await resident(store)
        r = await report(store, cid)
        async with store.transaction() as tx:
            await tx.reports.set_status(r.ref.lower(), "acknowledged", actor="officer:7", note=None)
            await tx.reports.set_status(r.ref, "in_progress", actor="officer:7", note="Đã gọi điện")
            done = await tx.reports.set_status(r.ref, "resolved", actor="officer:8", note="Xong")
            with pytest.raises(ValueError, match="status"):
                await tx.reports.set_status(r.ref, "closed", actor="officer:7")
            with pytest.raises(NotFound):
                await tx.reports.set_status("TT-ZZZZZZ", "acknowledged", actor="officer:7")
        assert done.status == "resolved"
        assert done.updated_at > r.created_at == r.updated_at
        async with store.transaction() as tx:
            steps = await tx.reports.history(r.ref)
            assert await tx.reports.history("TT-ZZZZZZ") == []
        assert [(e.status, e.actor, e.note) for e in steps] == [
            ("new", f"contact:{cid}", None),
            ("acknowledged", "officer:7", None),
            ("in_progress", "officer:7", "Đã gọi điện"),
            ("resolved", "officer:8", "Xong"),
        ]
        assert steps[0].at == r.created_at
        assert all(e.at.tzinfo is UTC for e in steps)

    async def test_rollback_leaves_no_report_and_no_reference(self, store: Store) -> None:
        leaked: list[str] = []
        with pytest.raises(Boom):
            async with store.transaction() as tx:
                c = await tx.contacts.get_or_create("telegram:555", "telegram", "vi")
                leaked.append((await tx.reports.create(contact_id=c.id, type="disaster")).ref)
                raise Boom
        assert len(leaked) == 1
        assert (await count(store, Report), await count(store, ReportEventRow)) == (0, 0)
        assert await count(store, Contact) == 0
        async with store.transaction() as tx:
            assert await tx.reports.get(leaked[0]) is None

    async def test_latest_and_for_commune(self, store: Store) -> None:
        cid = await resident(store)
        made = [await report(store, cid, commune_code=code) for code in ("03664", "04105", "03664")]
        async with store.transaction() as tx:
            assert [r.ref for r in await tx.reports.latest(cid, 2)] == [made[2].ref, made[1].ref]
            await tx.reports.set_status(made[0].ref, "acknowledged", actor="officer:1")
            chieng_an = await tx.reports.for_commune("03664")
            fresh = await tx.reports.for_commune("03664", status="new")
        assert [r.ref for r in chieng_an] == [made[2].ref, made[0].ref]
        assert [r.ref for r in fresh] == [made[2].ref]

    async def test_count_since_counts_one_contacts_recent_reports(self, store: Store) -> None:
        cid, other = await resident(store), await resident(store, "sim:someone-else")
        made = [await report(store, cid) for _ in range(3)] + [await report(store, other)]
        async with store.transaction() as tx:
            assert await tx.reports.count_since(cid, made[0].created_at) == 3
            assert await tx.reports.count_since(cid, made[1].created_at) == 2
            assert await tx.reports.count_since(cid, made[2].created_at + timedelta(seconds=1)) == 0
            assert await tx.reports.count_since(other, made[0].created_at) == 1

    async def test_report_fields_round_trip(self, store: Store) -> None:
        cid = await resident(store)
        r = await report(
            store,
            cid,
            village_id="03664:panh",
            lat=21.3256,
            lon=103.9188,
            urgency=3,
            flagged=True,
            photos=["tg-file-AgAD1", "tg-file-AgAD2"],
            details={"people": 4, "danger_now": True},
        )
        async with store.transaction() as tx:
            again = await tx.reports.find(r.ref, cid)
        assert again == r
        assert (r.lat, r.lon, r.urgency, r.flagged) == (21.3256, 103.9188, 3, True)
        assert r.photos == ("tg-file-AgAD1", "tg-file-AgAD2")
        assert r.created_at.tzinfo is UTC
        async with store.transaction() as tx:
            with pytest.raises(ValueError, match="type"):
                await tx.reports.create(contact_id=cid, type="flood")
            with pytest.raises(ValueError, match="range"):
                await tx.reports.create(contact_id=cid, type="disaster", lat=121.0, lon=10.0)
        with pytest.raises(IntegrityError):  # an unknown contact is not a reference collision
            async with store.transaction() as tx:
                await tx.reports.create(contact_id=cid + 999, type="disaster")

    async def test_vietnamese_text_round_trips_in_nfc(self, store: Store) -> None:
        cid = await resident(store)
        nfd = unicodedata.normalize("NFD", TEXT_VI)
        assert nfd != TEXT_VI
        r = await report(store, cid, details={"note": TEXT_VI, "Ghi chú": [nfd]})
        async with store.transaction() as tx:
            back = await tx.reports.find(r.ref, cid)
            named = await tx.contacts.update(cid, name=unicodedata.normalize("NFD", "Lò Thị Hương"))
        assert back is not None
        assert back.details == {"note": TEXT_VI, "Ghi chú": [TEXT_VI]}
        assert named.name == "Lò Thị Hương"

    async def test_long_details_round_trip(self, store: Store) -> None:
        cid = await resident(store)
        long_text = ("Sạt lở đất sau nhà, vết nứt dài. " * 200)[:5000]
        assert len(long_text) == 5000
        r = await report(store, cid, details={"note": long_text})
        async with store.transaction() as tx:
            back = await tx.reports.find(r.ref, cid)
        assert back is not None and back.details["note"] == long_text

    # --- subscriptions ----------------------------------------------------------------------

    async def test_subscriptions_toggle(self, store: Store) -> None:
        cid = await resident(store)
        async with store.transaction() as tx:
            subs = tx.subscriptions
            assert await subs.active(cid) == []
            assert await subs.set(cid, ["loans", "disaster_warnings"], True) == [
                "disaster_warnings",
                "loans",
            ]
            assert await subs.set(cid, ["loans"], False) == ["disaster_warnings"]
            assert await subs.set(cid, ["loans"], True) == ["disaster_warnings", "loans"]
            assert await subs.set(cid, ["village_notices"], False) == ["disaster_warnings", "loans"]
            with pytest.raises(ValueError, match="weather"):
                await subs.set(cid, ["weather"], True)
        async with store.transaction() as tx:
            assert await tx.subscriptions.active(cid) == ["disaster_warnings", "loans"]

    async def test_subscribers_by_topic_village_and_stop(self, store: Store) -> None:
        a, b, c = [await resident(store, f"telegram:{n}") for n in (1, 2, 3)]
        async with store.transaction() as tx:
            for cid, village in ((a, "03664:panh"), (b, "03664:panh"), (c, "04105:4")):
                await tx.contacts.update(cid, village_id=village)
                await tx.subscriptions.set(cid, ["disaster_warnings"], True)
            await tx.subscriptions.set(a, ["loans"], True)
            await tx.contacts.update(b, stopped=True)
            everyone = await tx.subscriptions.subscribers("disaster_warnings")
            panh = await tx.subscriptions.subscribers("disaster_warnings", village_id="03664:panh")
            loans = await tx.subscriptions.subscribers("loans")
        assert [x.id for x in everyone] == [a, c]
        assert [x.id for x in panh] == [a]
        assert [(x.id, x.urns) for x in loans] == [(a, ("telegram:1",))]

    # --- eligibility ------------------------------------------------------------------------

    async def test_eligibility_save(self, store: Store) -> None:
        cid = await resident(store)
        async with store.transaction() as tx:
            first = await tx.eligibility.save(
                contact_id=cid,
                standard="2026-2030",
                area="rural",
                income=1_500_000,
                household_size=5,
                deprived=["health_insurance", "housing_area"],
                klass="poor",
                village_id="03664:panh",
            )
            second = await tx.eligibility.save(
                contact_id=cid,
                standard="2026-2030",
                area="urban",
                income=3_000_000,
                household_size=None,
                deprived=[],
                klass="not_poor",
            )
        assert isinstance(first, int) and second > first
        with pytest.raises(IntegrityError):
            async with store.transaction() as tx:
                await tx.eligibility.save(
                    contact_id=cid + 999,
                    standard="2026-2030",
                    area="rural",
                    income=0,
                    household_size=1,
                    deprived=[],
                    klass="poor",
                )

    # --- places -----------------------------------------------------------------------------

    async def test_places_upsert_is_idempotent(self, store: Store) -> None:
        communes, villages = [CHIENG_AN, MAI_SON, MU_CA], [BAN_PANH, NAM_NIEU, TIEU_KHU_4]
        for first_run in (True, False):
            async with store.transaction() as tx:
                assert await tx.places.upsert_communes(communes) == (3 if first_run else 0)
                assert await tx.places.upsert_villages(villages, "seed") == (3 if first_run else 0)
                assert await tx.places.add_predecessors(PREDECESSORS) == (4 if first_run else 0)
        async with store.transaction() as tx:
            loaded = await tx.places.load()
        assert loaded == (
            sorted(communes, key=lambda c: c.code),
            sorted(villages, key=lambda v: v.id),
            sorted(PREDECESSORS),
        )

    async def test_places_upsert_updates_in_place(self, store: Store) -> None:
        corrected = dataclasses.replace(CHIENG_AN, area_type="rural", area_confidence="C")
        async with store.transaction() as tx:
            await tx.places.upsert_communes([CHIENG_AN])
            await tx.places.upsert_villages([NAM_NIEU], "seed")
        async with store.transaction() as tx:
            assert await tx.places.upsert_communes([corrected]) == 0
            renamed = dataclasses.replace(NAM_NIEU, confidence="C")
            assert await tx.places.upsert_villages([renamed], "officer") == 0
            communes, villages, _ = await tx.places.load()
        assert communes == [corrected]
        assert villages == [renamed]
        assert villages[0].name == "Nam Niệu"

    async def test_village_needs_its_commune(self, store: Store) -> None:
        with pytest.raises(IntegrityError):
            async with store.transaction() as tx:
                await tx.places.upsert_villages([TIEU_KHU_4], "seed")
