"""The notice pages as a browser without JavaScript uses them: the form, the preview with
Confirm / Back, the notice's page and its progress (and the htmx fragment), Cancel, the
errors shown on the form, the live SMS count, and who may open them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.store.models import NoticeRow
from bot.store.records import TOPICS
from bot.web.workspace.notice_pages import TOPIC_ORDER
from tests.conftest import make_settings
from tests.notices.test_chat_broadcast import outbox, person, settle
from tests.workspace.conftest import CHIENG_AN, MAI_SON, NAM_NIEU, PANH, TIEU_KHU_4, Env, running
from tests.workspace.test_notices_api import MEETING, audit, count

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with running(make_settings(tmp_path, notice_watch_seconds=1)) as found:
        yield found


async def officer(env: Env, name: str = "can.bo.an", commune: str = CHIENG_AN) -> str:
    """Log ``name`` in through the form; their CSRF token."""
    await env.user(name, "officer", commune)
    assert (await env.page_login(name)).status_code == 303
    return await env.csrf("/ws/notices")


def form(csrf: str, **fields: object) -> dict[str, object]:
    return {"csrf": csrf, "topic": "village_notices", "text": MEETING, **fields}


def text_of(html: str) -> str:
    """What a person reads: tags dropped, spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


async def test_compose_preview_back_confirm_and_watch(env: Env) -> None:
    csrf = await officer(env)
    await person(env.bot, "a", NAM_NIEU, ("village_notices",))
    await person(env.bot, "b", PANH, ("village_notices",))
    listing = await env.client.get("/ws/notices")
    assert 'href="/ws/notices" aria-current="page"' in listing.text
    assert "Chưa có thông báo nào." in listing.text
    new = await env.client.get("/ws/notices/new")
    assert new.status_code == 200
    assert f'value="{NAM_NIEU}"' in new.text and f'value="{PANH}"' in new.text
    assert TIEU_KHU_4 not in new.text  # another commune's village
    assert "Không chọn bản nào: gửi cho cả phường Chiềng An." in text_of(new.text)

    fields = form(csrf, village=[NAM_NIEU])
    preview = await env.client.post("/ws/notices/preview", data=fields)
    assert preview.status_code == 200, preview.text
    shown = text_of(preview.text)
    assert "Sẽ gửi tới 1 người ở bản Nam Niệu: 1 thử nghiệm." in shown
    assert f"📢 phường Chiềng An: {MEETING}" in shown  # as residents will read it
    assert "Gửi ngay khi xác nhận" in shown
    assert await count(env.bot, NoticeRow) == 0

    back = await env.client.post("/ws/notices/new", data=fields)
    assert back.status_code == 200
    assert f">{MEETING}</textarea>" in back.text
    assert re.search(rf'value="{NAM_NIEU}" checked', back.text)
    assert not re.search(rf'value="{PANH}" checked', back.text)

    sent = await env.client.post("/ws/notices", data=fields)
    assert sent.status_code == 303
    location = sent.headers["location"]
    notice_id = int(re.fullmatch(r"/ws/notices/(\d+)\?ok=created", location).group(1))  # type: ignore[union-attr]
    await settle(env.bot)
    assert [m["text"] for m in await outbox(env.client, "a")] == [f"📢 phường Chiềng An: {MEETING}"]
    assert await outbox(env.client, "b") == []
    page = await env.client.get(location)
    assert f"Đã nhận thông báo số {notice_id}." in page.text
    assert 'id="n-planned">1<' in page.text and 'id="n-sent">1<' in page.text
    assert "bởi can.bo.an" in text_of(page.text)  # who sent it
    fragment = await env.client.get(f"/ws/notices/{notice_id}", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section class="card progress"')
    assert "<html" not in fragment.text
    listing = await env.client.get("/ws/notices")
    assert f'href="/ws/notices/{notice_id}"' in listing.text
    assert "Đã gửi 1/1" in text_of(listing.text)


async def test_errors_keep_what_was_typed(env: Env) -> None:
    csrf = await officer(env)
    cases = [
        (form(csrf, text="  "), 422, "Xin viết nội dung thông báo."),
        (form(csrf, date="2030-01-02"), 422, "Xin chọn cả giờ gửi."),
        (form(csrf, date="2020-01-02", time="07:00"), 422, "Giờ gửi đã qua."),
        (form(csrf, date="2030-02-31", time="07:00"), 422, "Giờ gửi không đúng dạng"),
        (form(csrf, topic=""), 422, "Xin chọn loại thông báo."),
        (form(csrf, commune=MAI_SON), 403, "Cán bộ chỉ gửi được trong xã của mình."),
        (form(csrf, village=[TIEU_KHU_4]), 403, "Cán bộ chỉ gửi được cho các bản trong xã"),
    ]
    for fields, status, error in cases:
        for path in ("/ws/notices/preview", "/ws/notices"):
            r = await env.client.post(path, data=fields)
            assert r.status_code == status, (path, fields, r.status_code)
            assert f'<p class="error" role="alert">{error}' in r.text, (path, error)
            assert "<textarea" in r.text  # the form again
    kept = await env.client.post("/ws/notices", data=form(csrf, date="2030-01-02"))
    assert f">{MEETING}</textarea>" in kept.text and 'value="2030-01-02"' in kept.text
    assert await count(env.bot, NoticeRow) == 0
    assert len(await audit(env.bot, "notice.refused")) == 2  # the two refused confirms


async def test_a_scheduled_notice_can_be_cancelled_from_its_page(env: Env) -> None:
    csrf = await officer(env)
    at = (env.clock() + timedelta(days=1)).astimezone(ZONE)
    fields = form(csrf, date=at.date().isoformat(), time=at.strftime("%H:%M"))
    preview = await env.client.post("/ws/notices/preview", data=fields)
    assert f"Gửi lúc {at:%H:%M %d/%m/%Y}" in preview.text
    location = (await env.client.post("/ws/notices", data=fields)).headers["location"]
    page = await env.client.get(location)
    assert "Đã hẹn giờ" in page.text and "Chưa đến giờ gửi." in page.text
    assert 'hx-trigger="every 30s"' in page.text
    notice_id = location.split("/")[-1].split("?")[0]
    cancelled = await env.client.post(f"/ws/notices/{notice_id}/cancel", data={"csrf": csrf})
    assert cancelled.status_code == 303
    page = await env.client.get(cancelled.headers["location"])
    assert "Đã huỷ thông báo." in page.text and "Đã huỷ" in page.text
    assert "/cancel" not in page.text and "hx-trigger" not in page.text  # over: no polling
    again = await env.client.post(f"/ws/notices/{notice_id}/cancel", data={"csrf": csrf})
    assert again.status_code == 422
    assert "không huỷ được nữa" in again.text
    no_csrf = await env.client.post(f"/ws/notices/{notice_id}/cancel", data={})
    assert no_csrf.status_code == 403


async def test_the_live_count_reads_as_the_sms_will(env: Env) -> None:
    csrf = await officer(env)
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}

    async def counted(**fields: object) -> str:
        r = await env.client.post("/ws/notices/count", data=form("", **fields), headers=headers)
        assert r.status_code == 200
        return r.text

    async with env.bot.store.transaction() as tx:  # one person who reads SMS
        e = await tx.contacts.get_or_create("sim:e", "sim", "vi", rendering="sms")
        await tx.contacts.update(e.id, village_id=PANH, notice_seen=True)
        await tx.subscriptions.set(e.id, ("village_notices",), True)

    async def previewed(**fields: object) -> int:
        body = {"topic": "village_notices", "text": MEETING, **fields}
        r = await env.client.post("/api/v1/notices/preview", json=body, headers=headers)
        return int(r.json()["preview"]["sms_segments"])

    # "TB phường Chiềng An: <text> (STOP de ngung nhan)" is past 70 UCS-2 characters
    assert await counted() == f"{len(MEETING)}/1000 ký tự · SMS: 2 tin mỗi người"
    assert await previewed() == 2
    long = "Bà con chú ý: " * 20
    accented = await counted(text=long)
    plain = await counted(text=long, unaccented="1")
    segments = [int(re.search(r"SMS: (\d+)", t).group(1)) for t in (accented, plain)]  # type: ignore[union-attr]
    assert segments[0] > segments[1] >= 2
    assert segments == [await previewed(text=long), await previewed(text=long, unaccented=True)]
    assert await counted(text="") == "0/1000 ký tự · SMS: 0 tin mỗi người"
    r = await env.client.post("/ws/notices/count", data=form(""))  # no CSRF header
    assert r.status_code == 403


async def test_an_admin_picks_a_commune_then_its_villages(env: Env) -> None:
    await env.user("admin", "admin")
    assert (await env.page_login("admin")).status_code == 303
    csrf = await env.csrf("/ws/notices")
    new = await env.client.get("/ws/notices/new")
    assert '<option value="04105">' in new.text and 'name="village"' not in new.text
    picked = await env.client.post("/ws/notices/new", data=form(csrf, commune=MAI_SON))
    assert f'value="{TIEU_KHU_4}"' in picked.text and NAM_NIEU not in picked.text
    assert '<option value="04105" selected>' in picked.text
    preview = await env.client.post(
        "/ws/notices/preview", data=form(csrf, commune=MAI_SON, village=[TIEU_KHU_4])
    )
    assert "Sẽ gửi tới 0 người ở tiểu khu 4" in text_of(preview.text)


async def test_a_village_head_has_no_notice_pages(env: Env) -> None:
    await env.user("truong.ban", "head", CHIENG_AN, NAM_NIEU)
    assert (await env.page_login("truong.ban")).status_code == 303
    queue = await env.client.get("/ws/")
    assert 'href="/ws/notices"' not in queue.text
    for path in ("/ws/notices", "/ws/notices/new", "/ws/notices/1"):
        r = await env.client.get(path)
        assert r.status_code == 403, path
        assert "Chỉ cán bộ xã và quản trị viên gửi được thông báo." in r.text


def test_the_form_offers_every_topic() -> None:
    assert sorted(TOPIC_ORDER) == sorted(TOPICS)
