"""Linking a shared phone number: one person's reports, subscriptions, language follow them."""

from __future__ import annotations

from sqlalchemy import select

from bot.store import Store
from bot.store.models import Contact, EligibilityCheck

from .helpers import count, report, resident

PHONE = "tel:+84912345678"


async def _check(store: Store, contact_id: int) -> None:
    async with store.transaction() as tx:
        await tx.eligibility.save(
            contact_id=contact_id, standard="2022-2025", area="rural", income=1_200_000,
            household_size=4, deprived=["health_insurance"], klass="poor",
        )  # fmt: skip


class TestLinkPhone:
    async def test_new_phone_is_added_to_the_sender(self, store: Store) -> None:
        cid = await resident(store, "telegram:77")
        async with store.transaction() as tx:
            rec = await tx.contacts.link_phone(cid, PHONE)
            again = await tx.contacts.link_phone(cid, PHONE)
        assert rec.id == cid and again == rec
        assert rec.urns == (PHONE, "telegram:77")

    async def test_owner_of_the_phone_is_merged_into_the_older_contact(self, store: Store) -> None:
        sms = await resident(store, PHONE)  # wrote by SMS first: the older contact
        async with store.transaction() as tx:
            await tx.contacts.update(sms, village_id="03664:panh", notice_seen=True)
            await tx.subscriptions.set(sms, ["loans", "village_notices"], True)
        await report(store, sms, type="household_change", subtype="birth")
        await _check(store, sms)
        tg = await resident(store, "telegram:77")
        async with store.transaction() as tx:
            await tx.subscriptions.set(tg, ["disaster_warnings"], True)
            await tx.subscriptions.set(tg, ["loans"], False)  # changed after the SMS choice
            await tx.contacts.update(tg, language="en")  # the most recent profile change
        tg_report = await report(store, tg)

        async with store.transaction() as tx:
            merged = await tx.contacts.link_phone(tg, PHONE)
            active = await tx.subscriptions.active(merged.id)
            reports = await tx.reports.latest(merged.id)
            by_tg = await tx.contacts.by_urn("telegram:77")
        assert merged.id == sms
        assert merged.urns == (PHONE, "telegram:77")
        assert (merged.language, merged.village_id, merged.notice_seen) == (
            "en", "03664:panh", True,
        )  # fmt: skip
        assert active == ["disaster_warnings", "village_notices"]
        assert by_tg == merged
        assert await count(store, Contact) == 1
        async with store.engine.connect() as conn:
            owners = (await conn.execute(select(EligibilityCheck.contact_id))).scalars().all()
        assert owners == [sms]
        assert sorted(r.subtype or "" for r in reports) == ["birth", "flood"]
        assert tg_report.ref in {r.ref for r in reports}

    async def test_merge_keeps_the_older_id_whichever_side_shares(self, store: Store) -> None:
        tg = await resident(store, "telegram:1")  # older this time
        zalo = await resident(store, "zalo:2")
        async with store.transaction() as tx:
            await tx.contacts.link_phone(tg, PHONE)
            merged = await tx.contacts.link_phone(zalo, PHONE)
        assert merged.id == tg
        assert merged.urns == (PHONE, "telegram:1", "zalo:2")

    async def test_set_stopped_round_trip(self, store: Store) -> None:
        cid = await resident(store, PHONE)
        async with store.transaction() as tx:
            assert (await tx.contacts.set_stopped(cid)).stopped
            assert await tx.subscriptions.subscribers("loans") == []
            assert not (await tx.contacts.set_stopped(cid, False)).stopped
