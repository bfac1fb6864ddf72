"""Personal data in the store (bot.store.privacy), on SQLite and PostgreSQL: what is held,
erasure (open reports kept anonymised), retention purge with a frozen clock, consent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.config import RetentionSettings
from bot.privacy.retention import cutoffs
from bot.store import Store
from bot.store.models import Contact, OutboundMessage, Report
from bot.store.privacy import REDACTED, REDACTED_URN, RESIDENT
from bot.store.records import NotFound

PHONE, CHAT = "tel:+84912345678", "telegram:4242"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def resident(store: Store) -> int:
    """A resident on two addresses with one of everything, and an officer linked elsewhere."""
    async with store.transaction() as tx:
        c = await tx.contacts.get_or_create(CHAT, "telegram", "vi")
        await tx.contacts.link_phone(c.id, PHONE)
        await tx.contacts.update(c.id, name="Lò Thị Hoa", village_id="03664:nam niệu")
        await tx.subscriptions.set(c.id, ["loans", "disaster_warnings"], True)
        await tx.eligibility.save(
            contact_id=c.id, standard="2026-2030", area="rural", income=20_000_000,
            household_size=5, deprived=["housing"], klass="poor",
        )  # fmt: skip
        await tx.messages.log_inbound(contact_id=c.id, adapter="telegram", urn=CHAT,
                                      text="nhà chị Hoa bị ngập", at=NOW - 400 * DAY)  # fmt: skip
        await tx.messages.log_inbound(contact_id=c.id, adapter="telegram", urn=CHAT,
                                      text="có 2 cháu nhỏ", at=NOW - DAY)  # fmt: skip
        open_ = await tx.reports.create(
            contact_id=c.id, type="disaster", subtype="flood", village_id="03664:nam niệu",
            commune_code="03664", lat=21.327654, lon=103.914321, photos=["photo:abc"],
            details={"hazard": "flood", "people": 4, "place": "nhà chị Hoa cạnh suối",
                     "location_text": "sau trường", "house_state": "flooded"},
            actor=CHAT,
        )  # fmt: skip
        await tx.reports.add_event(open_.ref, "answer", actor=CHAT, note="số em 0912345678")
        await tx.reports.add_event(open_.ref, "note", actor="user:1", note="đã gọi trưởng bản")
        closed = await tx.reports.create(
            contact_id=c.id, type="handover", details={"reason": "hỏi về vay vốn"}, actor=CHAT
        )
        await tx.reports.set_status(closed.ref, "resolved", actor="user:1")
        for status in ("sent", "queued"):
            await tx.outbound.create(contact_id=c.id, adapter="telegram", urn=CHAT,
                                     text=f"Chào Hoa ({status})", rendering="telegram")  # fmt: skip
    async with store.transaction() as tx:
        rows = await tx.session.scalars(select(OutboundMessage))
        for row in rows:  # the first one went out
            row.status = "sent" if "sent" in row.text else "queued"
    return c.id


async def test_holdings_count_and_key_fields(store: Store) -> None:
    cid = await resident(store)
    async with store.transaction() as tx:
        held = await tx.privacy.holdings(cid, limit=1)
    assert held.contact.urns == (PHONE, CHAT) and held.contact.name == "Lò Thị Hoa"
    assert held.report_count == 2 and len(held.reports) == 1
    assert held.reports[0].status == "resolved"  # the newest first
    assert (held.household_size, held.household_class, held.eligibility_count) == (5, "poor", 1)
    assert held.topics == ("disaster_warnings", "loans")
    assert held.messages_kept == 2


async def test_erase_keeps_the_open_report_anonymised_and_removes_the_rest(store: Store) -> None:
    cid = await resident(store)
    async with store.transaction() as tx:
        [open_ref] = [r.ref for r in await tx.reports.latest(cid, 5) if r.status == "new"]
        done = await tx.privacy.erase(cid, now=NOW)
    assert set(done.urns) == {PHONE, CHAT}
    assert (done.kept, done.deleted_reports) == ((open_ref,), 1)
    async with store.transaction() as tx:
        assert await tx.contacts.by_urn(CHAT) is None and await tx.contacts.by_urn(PHONE) is None
        held = await tx.privacy.holdings(cid)
        report = await tx.reports.find(open_ref, cid)
        history = await tx.reports.history(open_ref)
        outbound = list(await tx.session.scalars(select(OutboundMessage)))
        shell = await tx.session.get(Contact, cid)
    assert held.contact.urns == () and held.contact.name is None and held.contact.village_id is None
    assert held.topics == () and held.eligibility_count == 0 and held.messages_kept == 0
    assert held.report_count == 1 and held.consent_version is None
    assert shell is not None and shell.erased_at == NOW
    # the report: kind, place, urgency kept; free text, photos, the exact pin gone
    assert report is not None and report.anonymised_at == NOW
    assert (report.type, report.village_id, report.commune_code) == ("disaster", "03664:nam niệu",
                                                                     "03664")  # fmt: skip
    assert report.details == {"hazard": "flood", "people": 4, "house_state": "flooded"}
    assert report.photos == () and (report.lat, report.lon) == (21.33, 103.91)
    mine = [e for e in history if e.actor == RESIDENT]
    assert len(mine) == 2 and all(e.note in (None, REDACTED) for e in mine)
    assert not any(e.actor == CHAT for e in history)
    assert [e.note for e in history if e.actor == "user:1"] == ["đã gọi trưởng bản"]
    # messages: texts and addresses gone; one still waiting is not sent
    assert {m.text for m in outbound} == {REDACTED}
    assert {m.urn for m in outbound} == {f"erased:{cid}"}
    assert sorted(m.status for m in outbound) == ["sent", "skipped"]


async def test_erase_an_unknown_contact_is_not_found(store: Store) -> None:
    async with store.transaction() as tx:
        try:
            await tx.privacy.erase(999, now=NOW)
        except NotFound:
            return
    raise AssertionError("NotFound expected")


async def test_purge_by_retention_with_a_frozen_clock(store: Store) -> None:
    cid = await resident(store)
    async with store.transaction() as tx:  # the closed report closed 800 days ago, mail 100
        await tx.session.execute(
            update(Report).where(Report.status == "resolved").values(closed_at=NOW - 800 * DAY)
        )
        await tx.session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.status == "sent")
            .values(created_at=NOW - 100 * DAY)
        )
    retention = RetentionSettings(
        inbound_message_days=180, outbound_message_days=90, closed_report_days=730
    )
    async with store.transaction() as tx:
        dry = await tx.privacy.purge(cutoffs(retention, NOW), dry_run=True)
    assert dry.as_json() == {"inbound_deleted": 1, "outbound_redacted": 1, "reports_anonymised": 1}
    async with store.transaction() as tx:
        assert (await tx.privacy.holdings(cid)).messages_kept == 2  # a dry run changes nothing
        done = await tx.privacy.purge(cutoffs(retention, NOW))
    assert done == dry
    async with store.transaction() as tx:
        held = await tx.privacy.holdings(cid)
        reports = {r.status: r for r in await tx.reports.latest(cid, 5)}
        texts = {
            m.status: (m.text, m.urn) for m in await tx.session.scalars(select(OutboundMessage))
        }
        again = await tx.privacy.purge(cutoffs(retention, NOW))
    assert held.messages_kept == 1  # the one of yesterday stays
    assert reports["resolved"].anonymised_at is not None and reports["resolved"].details == {}
    assert reports["new"].anonymised_at is None  # an open report is never purged
    assert texts == {"sent": (REDACTED, REDACTED_URN), "queued": ("Chào Hoa (queued)", CHAT)}
    assert again.as_json() == dict.fromkeys(dry.as_json(), 0)
    # a year later the message of yesterday has gone too; 0 days keeps a kind for ever
    forever = RetentionSettings(inbound_message_days=0, outbound_message_days=0,
                                closed_report_days=0)  # fmt: skip
    async with store.transaction() as tx:
        kept = await tx.privacy.purge(cutoffs(forever, NOW + 365 * DAY))
        later = await tx.privacy.purge(cutoffs(retention, NOW + 365 * DAY))
    assert kept.as_json() == dict.fromkeys(dry.as_json(), 0)
    assert later.inbound_deleted == 1


async def consent(store: Store, cid: int) -> tuple[str | None, datetime | None]:
    async with store.read() as tx:
        held = await tx.privacy.holdings(cid)
    return held.consent_version, held.consent_at


async def test_consent_is_recorded_once_with_its_version(store: Store) -> None:
    async with store.transaction() as tx:
        c = await tx.contacts.get_or_create(CHAT, "telegram", "vi")
    assert await consent(store, c.id) == (None, None)
    async with store.transaction() as tx:
        await tx.contacts.update(c.id, notice_seen=True, consent_version="v1")
    version, at = await consent(store, c.id)
    assert version == "v1" and at is not None
    async with store.transaction() as tx:
        await tx.contacts.update(c.id, consent_version="v2")
    assert await consent(store, c.id) == ("v1", at)


async def test_a_merge_keeps_the_earlier_consent(store: Store) -> None:
    async with store.transaction() as tx:
        a = await tx.contacts.get_or_create(CHAT, "telegram", "vi")
        await tx.contacts.update(a.id, consent_version="v1")
        b = await tx.contacts.get_or_create(PHONE, "android_sms", "vi")
        await tx.contacts.update(b.id, consent_version="v2")
        merged = await tx.contacts.link_phone(a.id, PHONE)
    assert set(merged.urns) == {CHAT, PHONE}
    assert (await consent(store, merged.id))[0] == "v1"
