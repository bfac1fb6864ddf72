"""The simulator channel end to end: HTTP in, pipeline, SQL, rendered replies out."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.render import unaccent
from bot.store.models import Report
from tests.web.conftest import Sim


async def stored_reports(app: App) -> list[Report]:
    async with AsyncSession(app.store.engine) as session:
        return list((await session.execute(select(Report))).scalars())


REF = re.compile(r"\b(TT|BD|RS|CB)-[A-Z2-9]{6}\b")


async def test_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


async def test_web_chat_page_is_served(client: httpx.AsyncClient) -> None:
    r = await client.get("/")
    assert r.status_code == 200
    assert "/static/chat.js" in r.text
    assert (await client.get("/static/chat.js")).status_code == 200


async def test_first_contact_gets_the_data_notice_and_the_menu(client: httpx.AsyncClient) -> None:
    sim = Sim(client, "first")
    replies = await sim.send("xin chào")
    assert '"bảo mật"' in sim.text  # the short notice; the full one (Decree 13/2023) on request
    titles = [b["title"] for r in replies for b in r["buttons"]]
    assert "Báo thiên tai / cần di dời" in titles
    assert len(titles) == 7 and titles[-1] == "Dữ liệu của tôi"


@pytest.mark.parametrize(
    "body",
    [
        {"channel": "telegram", "text": "hi"},  # no user
        {"user": "", "text": "hi"},
        {"user": "a b", "text": "hi"},
        {"user": "u", "channel": "fax", "text": "hi"},
        {"user": "u", "text": "hi", "location": {"lat": 200, "lon": 0}},
        {"user": "u", "text": "hi", "unknown": 1},
        {"user": "u", "text": "x" * 20_001},
        {"user": "u", "text": 5},
        {"user": "u", "button": "x" * 65},
    ],
)
async def test_bad_requests_get_422_with_a_reason(
    client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    r = await client.post("/sim/messages", json=body)
    assert r.status_code == 422
    assert r.json()["detail"]


async def test_a_bad_request_is_not_echoed_back(client: httpx.AsyncClient) -> None:
    """The 422 says where and why, never the input (a phone number, a name)."""
    body = {"user": "u", "text": "0912345678 " + "x" * 20_000}
    r = await client.post("/sim/messages", json=body)
    assert r.status_code == 422
    assert "0912345678" not in r.text
    assert r.json()["detail"][0]["loc"] == ["body", "text"]


@pytest.mark.parametrize("raw", [b'"\\ud800"', b'"a\\udfffb"'])
async def test_a_lone_surrogate_is_a_422_not_a_500(client: httpx.AsyncClient, raw: bytes) -> None:
    """Found by fuzzing: JSON may escape half of a UTF-16 pair; it is not text."""
    content = b'{"user": "u", "text": ' + raw + b"}"
    r = await client.post(
        "/sim/messages", content=content, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "text"]


async def test_invalid_json_is_422(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/sim/messages", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422


async def test_a_replayed_delivery_is_processed_once(client: httpx.AsyncClient) -> None:
    body = {"user": "dup", "text": "xin chào", "message_id": "m-1"}
    first = (await client.post("/sim/messages", json=body)).json()
    second = (await client.post("/sim/messages", json=body)).json()
    assert first["replies"] and not first["duplicate"]
    assert second == {"replies": [], "duplicate": True}


async def test_sms_rendering_numbers_the_options(client: httpx.AsyncClient) -> None:
    sim = Sim(client, "smsuser", channel="sms")
    replies = await sim.send("xin chao")
    assert all(r["buttons"] == [] for r in replies)
    assert re.search(r"^1\. ", sim.text, re.MULTILINE)
    assert all(r["segments"] and r["segments"] <= 3 for r in replies)


@pytest.mark.parametrize(
    "text", ["", "x" * 5000, "🙂🙂🙂", "\x00\x07\x1b[31m", "999999999999", "bản Không Tồn Tại"]
)
async def test_bad_input_always_gets_a_polite_answer(client: httpx.AsyncClient, text: str) -> None:
    sim = Sim(client, "junk")
    await sim.send("xin chào")
    replies = await sim.send(text)
    assert replies and all(r["text"].strip() for r in replies)


async def disaster_by_sms(sim: Sim) -> None:
    """Up to the place: written without diacritics, so the SMS replies come without them."""
    await sim.send("xin chao")
    await sim.send("3")  # Báo thiên tai
    assert "nguy hiem" in sim.text
    await sim.send("1")  # yes, danger now: the numbers at once, then where
    assert "112" in sim.text and "114" in sim.text and "115" in sim.text
    assert "ban nao" in sim.text


async def rest_of_the_report(sim: Sim) -> None:
    await sim.send("1")  # flood
    await sim.send("5")
    await sim.send("1,2")
    await sim.send("4")  # flooded
    await sim.send("1")  # still at home


async def test_disaster_report_by_sms_is_saved_flagged_and_numbered(
    client: httpx.AsyncClient, bot_app: App
) -> None:
    sim = Sim(client, "flood", channel="sms")
    await disaster_by_sms(sim)
    await sim.send("ban nam nieu")  # the report is filed as soon as the place is known
    match = REF.search(sim.text)
    assert match and match.group(1) == "TT"
    await rest_of_the_report(sim)
    assert match.group(0) in sim.text and "danh dau khan" in sim.text
    [report] = await stored_reports(bot_app)
    assert report.ref == match.group(0)
    assert report.village_id == "03664:nam niệu" and report.commune_code == "03664"
    assert report.flagged and report.urgency is not None and report.urgency >= 50
    assert report.details["vulnerable"] == ["elderly", "children"]
    assert report.details["house_state"] == "flooded" and report.details["stay"] == "home"


async def test_no_reference_code_without_a_commit_and_the_answers_survive(
    client: httpx.AsyncClient, bot_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = Sim(client, "crash", channel="sms")
    await disaster_by_sms(sim)
    executor = bot_app.pipeline._executor
    original = executor._handlers["report.submit"]

    async def saved_then_crash(*args: object) -> object:
        await original(*args)  # type: ignore[arg-type]
        raise ConnectionError("database went away before commit")

    monkeypatch.setitem(executor._handlers, "report.submit", saved_then_crash)
    await sim.send("ban nam nieu")
    assert not REF.search(sim.text)
    assert "Xin lỗi" in sim.text
    assert await stored_reports(bot_app) == []
    monkeypatch.setitem(executor._handlers, "report.submit", original)
    await sim.send("ban nam nieu")  # the same answer again: every earlier answer was kept
    assert REF.search(sim.text)
    [report] = await stored_reports(bot_app)
    assert report.details["danger_now"] is True


async def test_report_status_lists_my_latest_reports(client: httpx.AsyncClient) -> None:
    sim = Sim(client, "status", channel="sms")
    await disaster_by_sms(sim)
    await sim.send("ban nam nieu")
    ref = REF.search(sim.text)
    assert ref
    await rest_of_the_report(sim)
    await sim.send("menu")
    await sim.send("5")  # Xem phản ánh đã gửi
    await sim.send("1")  # Phản ánh gần đây của tôi
    assert ref.group(0) in sim.text
    other = Sim(client, "stranger", channel="sms")
    await other.send("xin chao")
    await other.send("5")
    await other.send(ref.group(0).lower().replace("-", " "))  # typed by hand
    assert "khong tim thay" in unaccent(other.text).lower()
    await sim.send("menu")
    await sim.send("5")
    await sim.send(ref.group(0).lower().replace("-", ""))
    assert ref.group(0) in sim.text and "khong tim thay" not in unaccent(sim.text).lower()


async def test_conversation_state_lives_in_redis_when_configured(
    tmp_path: Path, redis_url: str
) -> None:
    import redis.asyncio as aioredis

    from bot.app import build_app
    from bot.sessions.keys import session_key
    from bot.web.app import create_app
    from tests.conftest import make_settings

    app = await build_app(make_settings(tmp_path, redis_url=redis_url))
    try:
        api = create_app(app_obj=app)
        api.state.bot = app
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as c:
            sim = Sim(c, f"redis-{tmp_path.name}", channel="sms")
            await disaster_by_sms(sim)
        client = aioredis.from_url(redis_url)
        try:
            key = session_key("sim", f"sim:{sim.user}")
            raw = await client.get(key)
            ttl = await client.ttl(key)
            await client.delete(key)
        finally:
            await client.aclose()
        assert raw is not None and b'"disaster"' in raw
        assert 0 < ttl <= app.settings.session_ttl_seconds
    finally:
        await app.aclose()


async def test_telegram_polling_refuses_to_start_without_telegram(bot_app: App) -> None:
    from bot.web.app import create_app

    api = create_app(app_obj=bot_app, telegram_polling=True)
    with pytest.raises(RuntimeError, match="BANBOT_TELEGRAM__ENABLED"):
        async with api.router.lifespan_context(api):
            pass


@pytest.mark.parametrize(
    ("text", "programme"),
    [
        ("vay von ho ngheo", "Cho vay hộ nghèo"),
        ("vay nuoc sach lam nha ve sinh", "Cho vay nước sạch"),
    ],
)
async def test_a_named_loan_programme_is_shown_without_asking(
    client: httpx.AsyncClient, text: str, programme: str
) -> None:
    sim = Sim(client, "loanuser")
    await sim.send("xin chào")
    await sim.send(text)
    assert sim.text.startswith(programme)
    assert "Lãi suất" in sim.text and "Tổ tiết kiệm và vay vốn" in sim.text
