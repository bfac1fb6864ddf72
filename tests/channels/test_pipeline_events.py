"""Pipeline channel events: STOP / blocked / unfollow, START / follow, shared phone numbers."""

from __future__ import annotations

import itertools

from bot.app import App
from bot.domain.messages import Inbound
from bot.i18n import system_text
from bot.pipeline import Outcome

_ids = itertools.count(1)
PHONE = "tel:+84912345678"


async def send(app: App, address: str, text: str = "", **kw: object) -> Outcome:
    channel = address.split(":")[0]
    msg = Inbound(channel, address, f"m{next(_ids)}", text=text, **kw)  # type: ignore[arg-type]
    return await app.pipeline.handle(msg)


async def contact(app: App, urn: str) -> tuple[bool, list[str], tuple[str, ...], str]:
    async with app.store.transaction() as tx:
        rec = await tx.contacts.by_urn(urn)
        assert rec is not None
        return rec.stopped, await tx.subscriptions.active(rec.id), rec.urns, rec.language


async def subscribe(app: App, urn: str, *topics: str) -> None:
    async with app.store.transaction() as tx:
        rec = await tx.contacts.get_or_create(urn, urn.split(":")[0], "vi")
        await tx.subscriptions.set(rec.id, topics, True)


async def test_typed_stop_is_confirmed_and_ends_bulk_notices(bot_app: App) -> None:
    await subscribe(bot_app, PHONE, "loans", "disaster_warnings")
    out = await send(bot_app, PHONE, "STOP", event="stop")
    assert [r.text for r in out.replies] == [system_text("stopped", "vi")]
    assert (await contact(bot_app, PHONE))[0] is True
    async with bot_app.store.transaction() as tx:
        assert await tx.subscriptions.subscribers("loans") == []


async def test_blocked_bot_or_unfollow_gets_no_reply(bot_app: App) -> None:
    await subscribe(bot_app, "telegram:5", "loans")
    await subscribe(bot_app, "zalo:6", "loans")
    assert (await send(bot_app, "telegram:5", event="stop")).replies == []
    assert (await send(bot_app, "zalo:6", event="unfollow")).replies == []
    assert (await contact(bot_app, "telegram:5"))[0] is True
    assert (await contact(bot_app, "zalo:6"))[0] is True
    async with bot_app.store.transaction() as tx:
        assert await tx.subscriptions.subscribers("loans") == []


async def test_writing_again_is_answered_but_does_not_resubscribe(bot_app: App) -> None:
    await subscribe(bot_app, PHONE, "loans")
    await send(bot_app, PHONE, "STOP", event="stop")
    out = await send(bot_app, PHONE, "xin chao")
    assert out.replies  # the conversation goes on as usual
    assert (await contact(bot_app, PHONE))[0] is True  # only START brings notices back
    async with bot_app.store.transaction() as tx:
        assert await tx.subscriptions.subscribers("loans") == []


async def test_start_resubscribes_to_what_was_chosen(bot_app: App) -> None:
    await subscribe(bot_app, PHONE, "loans")
    await send(bot_app, PHONE, "STOP", event="stop")
    await send(bot_app, PHONE, "START", event="start")
    assert (await contact(bot_app, PHONE))[:2] == (False, ["loans"])
    async with bot_app.store.transaction() as tx:
        assert [c.urns for c in await tx.subscriptions.subscribers("loans")] == [(PHONE,)]


async def test_start_unstops_and_shows_the_menu(bot_app: App) -> None:
    await send(bot_app, "zalo:9", event="unfollow")
    out = await send(bot_app, "zalo:9", event="follow")
    menu = await send(bot_app, "zalo:9", "menu")  # what the menu command shows, for comparison
    assert not (await contact(bot_app, "zalo:9"))[0]
    assert menu.replies[-1].buttons  # the main menu
    assert out.replies[-1] == menu.replies[-1]  # after the first-contact privacy notice


async def test_shared_phone_links_to_the_sms_contact(bot_app: App) -> None:
    await send(bot_app, PHONE, "xin chao")  # the SMS contact, older
    sms_id = (await send(bot_app, PHONE, "menu")).contact_id
    await subscribe(bot_app, PHONE, "disaster_warnings")
    async with bot_app.store.transaction() as tx:
        tg = await tx.contacts.get_or_create("telegram:42", "telegram", "vi")
        await tx.contacts.update(tg.id, language="en")
    out = await send(bot_app, "telegram:42", contact_phone="+84 91 234 5678")
    assert out.contact_id == sms_id
    assert out.language == "en"  # the most recent profile wins
    assert [r.text for r in out.replies] == [system_text("phone_linked", "en")]
    stopped, topics, urns, language = await contact(bot_app, "telegram:42")
    assert (stopped, topics, urns, language) == (
        False, ["disaster_warnings"], (PHONE, "telegram:42"), "en",
    )  # fmt: skip
    later = await send(bot_app, "telegram:42", "menu")
    assert later.contact_id == sms_id


async def test_phone_with_a_message_links_and_answers_the_message(bot_app: App) -> None:
    out = await send(bot_app, "zalo:3", "menu", contact_phone="0912345678")
    assert out.replies and system_text("phone_linked", "vi") not in [r.text for r in out.replies]
    assert PHONE in (await contact(bot_app, "zalo:3"))[2]


async def test_not_a_phone_is_not_linked(bot_app: App) -> None:
    out = await send(bot_app, "telegram:8", "menu", contact_phone="12")
    assert out.replies
    assert (await contact(bot_app, "telegram:8"))[2] == ("telegram:8",)


async def test_replayed_stop_is_processed_once(bot_app: App) -> None:
    msg = Inbound("twilio_sms", PHONE, "SMdup", text="STOP", event="stop")
    first = await bot_app.pipeline.handle(msg)
    again = await bot_app.pipeline.handle(msg)
    assert first.replies and not first.duplicate
    assert again.duplicate and again.replies == []
