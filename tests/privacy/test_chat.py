"""'Dữ liệu của tôi' and 'xoá dữ liệu của tôi' through the whole bot (embedded defaults), and
the consent recorded with the first-contact notice."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import select

from bot.app import App
from bot.config import Settings
from bot.domain.consent import CONSENT_VERSION
from bot.domain.messages import Inbound
from bot.engine.types import ContactInfo
from bot.i18n import system_text
from bot.pipeline import Outcome
from bot.privacy.chat import PrivacyActions
from bot.render import render
from bot.sessions.keys import scheme_of, session_key
from bot.store.models import ChannelStateRow
from bot.store.records import ContactRecord
from integrations.zalo.window import window_key

_ids = itertools.count(1)
HOA, PHONE = "sim:hoa", "+84912345678"


async def say(app: App, text: str = "", address: str = HOA, **kw: object) -> Outcome:
    msg = Inbound("sim", address, f"p{next(_ids)}", text=text, **kw)  # type: ignore[arg-type]
    return await app.pipeline.handle(msg)


async def contact(app: App, urn: str = HOA) -> ContactRecord | None:
    async with app.store.transaction() as tx:
        return await tx.contacts.by_urn(urn)


async def a_resident_with_a_report(app: App) -> tuple[int, str]:
    """First contact, a shared phone, a handover report (open) and a subscription."""
    await say(app, "xin chào")
    linked = await say(app, contact_phone=PHONE)
    assert [r.text for r in linked.replies] == [system_text("phone_linked", "vi")]
    await say(app, "gặp cán bộ")
    filed = await say(app, "nhà em ở cạnh suối, gọi chị Hoa")
    me = await contact(app)
    assert me is not None and filed.replies
    async with app.store.transaction() as tx:
        await tx.subscriptions.set(me.id, ["disaster_warnings"], True)
        [report] = await tx.reports.latest(me.id, 1)
    return me.id, report.ref


async def consent(app: App, urn: str = HOA) -> tuple[str | None, datetime | None]:
    me = await contact(app, urn)
    assert me is not None
    async with app.store.read() as tx:
        held = await tx.privacy.holdings(me.id)
    return held.consent_version, held.consent_at


async def test_consent_is_recorded_once_with_the_notice_version(bot_app: App) -> None:
    first = await say(bot_app, "xin chào")
    assert "đồng ý" in first.replies[0].text  # the consent line of the first greeting
    version, at = await consent(bot_app)
    assert version == CONSENT_VERSION and at is not None
    again = await say(bot_app, "menu")
    assert await consent(bot_app) == (CONSENT_VERSION, at)
    assert all("đồng ý" not in r.text for r in again.replies)  # shown once


async def test_my_data_shows_counts_and_key_fields_with_other_addresses_masked(
    bot_app: App,
) -> None:
    _, ref = await a_resident_with_a_report(bot_app)
    out = await say(bot_app, "dữ liệu của tôi")
    summary = out.replies[0].text
    assert summary.startswith("Dữ liệu em giữ về")
    assert HOA in summary and "tel:+84***678" in summary  # the address in use in full only
    assert PHONE not in summary and PHONE[1:] not in summary and "0912345678" not in summary
    assert f"{ref} Gặp cán bộ" in summary and "mới gửi" in summary
    assert "Phản ánh: 1" in summary and "Cảnh báo thiên tai" in summary
    assert f"(bản {CONSENT_VERSION})" in summary
    assert "cạnh suối" not in summary  # a summary, not a dump of what they wrote
    for words in ("du lieu cua toi", "/dulieu", "DỮ LIỆU"):
        again = await say(bot_app, words)
        assert again.replies[0].text.split("\n")[1:] == summary.split("\n")[1:], words


async def test_my_data_fits_the_sms_budget_when_written_without_diacritics(
    bot_app: App,
) -> None:
    await a_resident_with_a_report(bot_app)
    out = await say(bot_app, "du lieu cua toi", rendering="sms")
    summary = out.replies[0].text
    assert summary.isascii() and summary.endswith('nhan "xoa du lieu" a.')
    [sent] = render(out.replies[:1], "sms", sms_max_segments=Settings().sms_max_segments)
    assert sent.text == summary and sent.segments is not None and sent.segments <= 3


async def test_erase_asks_first_and_no_keeps_everything(bot_app: App) -> None:
    cid, _ = await a_resident_with_a_report(bot_app)
    ask = await say(bot_app, "xoá dữ liệu")
    assert "không lấy lại được" in ask.replies[0].text.lower()
    assert [b.title for b in ask.replies[0].buttons] == ["Có", "Không"]
    kept = await say(bot_app, "không")
    assert kept.replies[0].text == "Em chưa xoá gì ạ, dữ liệu của anh/chị vẫn như cũ."
    me = await contact(bot_app)
    assert me is not None and me.id == cid and set(me.urns) == {HOA, f"tel:{PHONE}"}
    async with bot_app.store.transaction() as tx:
        held = await tx.privacy.holdings(cid)
    assert held.topics == ("disaster_warnings",) and held.report_count == 1


async def test_erase_confirmed_deletes_keeps_the_open_report_anonymised_and_starts_fresh(
    bot_app: App,
) -> None:
    cid, ref = await a_resident_with_a_report(bot_app)
    await say(bot_app, "xoa du lieu cua toi")
    done = await say(bot_app, "có")
    assert done.replies[0].text.startswith("Đã xoá dữ liệu của anh/chị.")
    assert ref in done.replies[0].text  # the report an officer still needs, kept
    assert await contact(bot_app) is None and await contact(bot_app, f"tel:{PHONE}") is None
    assert await bot_app.state.sessions.load(session_key(scheme_of(HOA), HOA)) is None
    async with bot_app.store.transaction() as tx:
        held = await tx.privacy.holdings(cid)
        report = await tx.reports.find(ref, cid)
        audit = await tx.audit.recent(actor=f"contact:{cid}", action="privacy.erased", limit=5)
    assert held.messages_kept == 0  # the journey's messages, and the erase turns, none kept
    assert held.topics == () and held.contact.urns == () and held.consent_at is None
    assert report is not None and report.anonymised_at is not None and report.status == "new"
    assert "reason" not in report.details  # what they wrote is gone
    assert len(audit) == 1 and audit[0].detail["kept"] == [ref]
    # writing again: a new person to the bot, greeted with the notice and its consent line
    fresh = await say(bot_app, "xin chào")
    assert "đồng ý" in fresh.replies[0].text
    new = await contact(bot_app)
    assert new is not None and new.id != cid
    assert (await consent(bot_app))[0] == CONSENT_VERSION


async def test_erase_forgets_the_zalo_reply_window_of_the_address(bot_app: App) -> None:
    """Channel state kept per address (no expiry) goes with the person; others' stays."""
    async with bot_app.store.transaction() as tx:
        me = await tx.contacts.get_or_create("zalo:77", "zalo", "vi")
        for user in ("77", "78"):
            tx.session.add(ChannelStateRow(key=window_key(user), value={"since": 1}, version=1))
    async with bot_app.store.transaction() as tx:
        who = ContactInfo(id=me.id, address="zalo:77", rendering="zalo")
        await PrivacyActions(bot_app.places).erase(tx, who, {})
    async with bot_app.store.read() as tx:
        keys = set(await tx.session.scalars(select(ChannelStateRow.key)))
    assert window_key("77") not in keys and window_key("78") in keys
