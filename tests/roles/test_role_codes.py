"""Role codes through the whole bot (simulator, real store): a code issued for a place grants
that role once, before it expires; wrong, reused, expired and lowering codes are refused; every
grant and refusal is audited; a sixth wrong code in an hour is not even looked at."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from bot.app import App
from bot.store.models import RoleCodeRow
from bot.store.types import utcnow
from bot.web.app import create_app
from tests.web.conftest import Sim

NAM_NIEU = "03664:nam niệu"


@pytest.fixture
async def client(bot_app: App) -> AsyncIterator[httpx.AsyncClient]:
    api = create_app(app_obj=bot_app)
    api.state.bot = bot_app
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as http:
        yield http


async def issue(app: App, role: str, *, hours: float = 72, **place: str) -> str:
    async with app.store.transaction() as tx:
        code, _ = await tx.role_codes.issue(
            role=role, issued_by="cli:test", ttl=timedelta(hours=hours), **place
        )
    return code


async def contact_of(app: App, user: str) -> tuple[str, str | None, str | None]:
    async with app.store.transaction() as tx:
        found = await tx.contacts.by_urn(f"sim:{user}")
    assert found is not None
    return found.role, found.role_commune, found.role_village


async def test_a_head_code_makes_the_head_of_that_village(
    bot_app: App, client: httpx.AsyncClient
) -> None:
    code = await issue(bot_app, "head", village_id=NAM_NIEU)
    sim = Sim(client, "lo.van.a")
    await sim.send("xin chào")
    await sim.send(code.lower().replace("-", " "))
    assert "trưởng bản Nam Niệu" in sim.text
    assert await contact_of(bot_app, "lo.van.a") == ("head", None, NAM_NIEU)
    other = Sim(client, "someone.else", channel="sms")
    await other.send("xin chao")
    await other.send(code)  # the same code again, by someone else
    assert "da duoc dung" in other.text.lower()
    assert (await contact_of(bot_app, "someone.else"))[0] == "resident"
    async with bot_app.store.transaction() as tx:
        granted = await tx.audit.recent(action="role.granted")
        refused = await tx.audit.recent(action="role.refused")
    assert [(e.target, e.detail["role"]) for e in granted] == [(f"village:{NAM_NIEU}", "head")]
    assert [e.detail["reason"] for e in refused] == ["used"]


async def test_officer_code_expired_and_wrong_codes(
    bot_app: App, client: httpx.AsyncClient
) -> None:
    late = await issue(bot_app, "officer", hours=1, commune_code="03664")
    async with bot_app.store.transaction() as tx:  # an hour and a minute later
        await tx.session.execute(
            update(RoleCodeRow).values(expires_at=utcnow() - timedelta(minutes=1))
        )
    sim = Sim(client, "officer.late")
    await sim.send("xin chào")
    await sim.send(late)
    assert "hết hạn" in sim.text
    await sim.send("VT-2222-3333")
    assert "không đúng" in sim.text
    assert (await contact_of(bot_app, "officer.late"))[0] == "resident"
    good = await issue(bot_app, "officer", commune_code="03664")
    await sim.send(f"mã: {good}")
    assert "cán bộ phường Chiềng An" in sim.text
    assert await contact_of(bot_app, "officer.late") == ("officer", "03664", None)


async def test_a_code_never_lowers_a_role_and_is_kept_for_its_owner(
    bot_app: App, client: httpx.AsyncClient
) -> None:
    sim = Sim(client, "can.bo")
    await sim.send("xin chào")
    await sim.send(await issue(bot_app, "officer", commune_code="03664"))
    head_code = await issue(bot_app, "head", village_id=NAM_NIEU)
    await sim.send(head_code)
    assert "đang là cán bộ phường Chiềng An" in sim.text
    assert (await contact_of(bot_app, "can.bo"))[0] == "officer"
    villager = Sim(client, "villager")
    await villager.send("xin chào")
    await villager.send(head_code)  # not consumed by the refusal
    assert "trưởng bản Nam Niệu" in villager.text


async def test_guessing_stops_after_five_wrong_codes(
    bot_app: App, client: httpx.AsyncClient
) -> None:
    code = await issue(bot_app, "admin")
    sim = Sim(client, "guesser")
    await sim.send("xin chào")
    for n in range(5):
        await sim.send(f"VT-2222-{n + 2}{n + 2}{n + 2}{n + 2}")
        assert "không đúng" in sim.text
    await sim.send(code)  # the right one, but too late: not even looked at
    assert "thử lại sau một giờ" in sim.text
    assert (await contact_of(bot_app, "guesser"))[0] == "resident"
    async with bot_app.store.transaction() as tx:
        assert (await tx.role_codes.peek(code)).used_at is None  # type: ignore[union-attr]
