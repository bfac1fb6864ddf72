"""The workspace in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

The real application runs under uvicorn on a free localhost port. An officer logs in on a
phone-sized screen, keeps the queue open, a simulated resident files a flood report through
``/sim/messages``, the report appears without a reload, the officer acknowledges it and
replies, and the test checks what was recorded for the resident: the real ``ContactSender``
(the simulator is an adapter) puts both messages in ``outbound_messages`` for their contact.

Without Chromium the test is skipped loudly on a developer machine and fails under
``CI=true`` (``make test`` installs it: see the Makefile). With ``BANBOT_SCREENSHOTS=<dir>``
it also saves the screenshots of ``docs/screenshots/`` (phone and laptop).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from bot.app import prepare_database
from bot.config import Settings
from bot.store.repo import Store
from bot.web.app import create_app
from bot.web.workspace.passwords import hash_password
from tests.conftest import make_settings
from tests.workspace.conftest import CHIENG_AN, NAM_NIEU, PANH, PASSWORD

CHROMIUM = Path(os.environ.get("BANBOT_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FLOOD = [
    {"text": "xin chào"},
    {"text": "nha em bi ngap"},
    {"text": "khong"},  # nobody in danger right now
    {"text": "ban nam nieu"},
    {"text": "5"},
    {"text": "nguoi gia"},
    {"text": "ngap"},
    {"text": "3"},  # staying with relatives
    {"location": {"lat": 21.3312, "lon": 103.9071}},
    {"text": "bo qua"},  # no photo
]


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"no Chromium at {CHROMIUM}: apt-get install chromium (make test does)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(f"SKIPPED, NOT TESTED: {message}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Running:
    url: str
    settings: Settings


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Running]:
    """The whole application under uvicorn in a thread, on SQLite in ``tmp_path``."""
    settings = make_settings(tmp_path, workspace={"queue_poll_seconds": 1}, notice_watch_seconds=1)
    asyncio.run(_prepare(settings))
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1",
                            port=port, log_level="warning", lifespan="on")  # fmt: skip
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the server did not start")
        time.sleep(0.05)
    try:
        yield Running(f"http://127.0.0.1:{port}", settings)
    finally:
        srv.should_exit = True
        thread.join(timeout=30)


async def _prepare(settings: Settings) -> None:
    await prepare_database(settings)
    store = Store(settings.database_url)
    try:
        async with store.transaction() as tx:
            await tx.users.add(
                username="can.bo.an",
                password_hash=hash_password(PASSWORD),
                role="officer",
                commune_code=CHIENG_AN,
                display_name="Lò Văn An",
            )
    finally:
        await store.close()


async def _file_flood(url: str, user: str) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        said = []
        for step in FLOOD:
            r = await client.post("/sim/messages", json={"user": user, "channel": "telegram",
                                                        **step})  # fmt: skip
            assert r.status_code == 200, r.text
            said.append(r.text)
    # the report is filed as soon as the place is known, then enriched by every answer
    found = re.search(r"phản ánh (TT-[A-Z2-9]{6})", " ".join(said))
    assert found, said
    return found.group(1)


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    _need_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def test_officer_sees_acknowledges_and_replies_on_a_phone(
    server: Running, browser: object
) -> None:
    from playwright.async_api import Browser, expect

    assert isinstance(browser, Browser)
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(f"{server.url}/ws/")
    await expect(page).to_have_url(re.compile(r"/ws/login\?next=/ws/"))
    await page.fill("input[name=username]", "can.bo.an")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await expect(page.locator("ol.reports")).to_contain_text("Không có phản ánh nào")
    cookies = {c["name"]: c for c in await context.cookies()}
    assert cookies["banbot_ws"]["httpOnly"] and cookies["banbot_ws"]["sameSite"] == "Lax"

    ref = await _file_flood(server.url, "ba-lo-thi-d")
    # The open queue shows it by itself (htmx polls every second here), no reload.
    await expect(page.locator("ol.reports")).to_contain_text(ref, timeout=10_000)
    await expect(page.locator(".notice.fresh")).to_be_visible()
    await page.click(f"text={ref}")
    await expect(page.locator("h1")).to_contain_text(ref)
    await expect(page.locator(".facts")).to_contain_text("Ngập lụt")
    await expect(page.locator(".facts")).to_contain_text("21.33120, 103.90710")
    await expect(page.locator(".reasons")).to_contain_text("Có người già")

    await page.click("button:has-text('Nhận xử lý')")
    await expect(page.locator("#status")).to_have_text("Đã nhận")
    await page.fill("textarea[name=text] >> nth=0", "Chiều nay cán bộ xã đến nhà bà con.")
    await page.click("button:has-text('Gửi trả lời')")
    await expect(page.locator(".notice")).to_have_text("Đã gửi trả lời cho người dân.")
    await expect(page.locator(".history")).to_contain_text("trả lời người dân")
    assert errors == []

    # What was recorded for the resident, on their own channel: the acknowledgement, then
    # the reply (the pipeline's direct replies to the resident are not among these kinds).
    store = Store(server.settings.database_url)
    try:
        async with store.transaction() as tx:
            contact = await tx.contacts.by_urn("sim:ba-lo-thi-d")
            assert contact is not None
            log = await tx.messages.conversation(contact.id, limit=100)
    finally:
        await store.close()
    started = [(m.kind, m.adapter, m.text) for m in log
               if m.direction == "out" and m.kind in ("status", "officer_reply")]  # fmt: skip
    assert started == [
        ("status", "sim",
         f"Cán bộ Lò Văn An đã nhận phản ánh {ref} của anh/chị và sẽ liên hệ sớm ạ."),
        ("officer_reply", "sim",
         f"Cán bộ xã trả lời (phản ánh {ref}): Chiều nay cán bộ xã đến nhà bà con. "
         "(Anh/chị nhắn lại ở đây, cán bộ sẽ đọc ạ.)"),
    ]  # fmt: skip
    # The simulator's outbox lists both, and the resident's web chat shows them as they come.
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        outbox = (await http.get("/sim/outbox/ba-lo-thi-d")).json()["messages"]
    assert [(m["kind"], m["text"]) for m in outbox] == [(k, t) for k, _, t in started]
    chat = await context.new_page()
    await chat.goto(f"{server.url}/")
    await chat.evaluate("localStorage.setItem('banbot.sim.user', 'ba-lo-thi-d')")
    await chat.reload()
    await expect(chat.locator(".msg.pushed")).to_have_count(2, timeout=10_000)
    await expect(chat.locator(".msg.pushed").last).to_contain_text("Chiều nay cán bộ xã đến")

    # The resident writes back in the chat: it lands on the report, not in a bot journey.
    await chat.fill("#input", "Dạ em cảm ơn, nhà em chờ ở nhà văn hoá")
    await chat.press("#input", "Enter")
    await expect(chat.locator(".msg.in").last).to_contain_text("chuyển cho cán bộ xã")
    await page.reload()
    await expect(page.locator(".history")).to_contain_text("nhà em chờ ở nhà văn hoá")

    shots = os.environ.get("BANBOT_SCREENSHOTS")
    if shots:
        await _screenshots(browser, server, Path(shots), ref)
    await context.close()


async def _screenshots(browser: object, server: Running, folder: Path, ref: str) -> None:
    """Queue, report, map and charts on a phone and a laptop, with a few more reports."""
    from playwright.async_api import Browser

    assert isinstance(browser, Browser)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    await _demo_reports(server.settings)
    for name, width, height in (("phone", 390, 844), ("laptop", 1280, 860)):
        context = await browser.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await page.goto(f"{server.url}/ws/login")
        await page.fill("input[name=username]", "can.bo.an")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_selector("ol.reports")
        await page.screenshot(path=str(folder / f"queue-{name}.png"), full_page=True)
        await page.goto(f"{server.url}/ws/reports/{ref}")
        await page.screenshot(path=str(folder / f"report-{name}.png"), full_page=True)
        await page.goto(f"{server.url}/ws/map?status=all")
        await page.screenshot(path=str(folder / f"map-{name}.png"), full_page=True)
        await page.goto(f"{server.url}/ws/charts")
        await page.screenshot(path=str(folder / f"charts-{name}.png"), full_page=True)
        await context.close()


async def _demo_reports(settings: Settings) -> None:
    """A small commune's morning: a cluster of floods, a landslide with a pin, a birth."""
    store = Store(settings.database_url)
    floods = [(3, ["elderly"]), (6, ["children"]), (4, []), (7, ["elderly", "disabled"])]
    try:
        async with store.transaction() as tx:
            await tx.triage.set_village_position(NAM_NIEU, 21.3335, 103.9052)
            for i, (people, vulnerable) in enumerate(floods):
                c = await tx.contacts.get_or_create(f"sim:demo{i}", "sim", "vi")
                await tx.reports.create(
                    contact_id=c.id, type="disaster", subtype="flood", village_id=NAM_NIEU,
                    commune_code=CHIENG_AN, urgency=25 + 5 * len(vulnerable),
                    details={"hazard": "flood", "people": people, "vulnerable": vulnerable,
                             "house_state": "flooded",
                             "urgency_reasons": ["hazard:flood", "house_state:flooded"]},
                )  # fmt: skip
            c = await tx.contacts.get_or_create("sim:demo-panh", "sim", "vi")
            await tx.reports.create(
                contact_id=c.id, type="disaster", subtype="landslide", village_id=PANH,
                commune_code=CHIENG_AN, lat=21.3401, lon=103.9183, urgency=100, flagged=True,
                details={"hazard": "landslide", "people": 5, "danger_now": True,
                         "vulnerable": ["children"], "house_state": "unsafe",
                         "urgency_reasons": ["danger_now", "hazard:landslide",
                                             "house_state:unsafe", "vulnerable:children"]},
            )  # fmt: skip
            c = await tx.contacts.get_or_create("sim:demo-birth", "sim", "vi")
            await tx.reports.create(
                contact_id=c.id, type="household_change", subtype="birth", village_id=PANH,
                commune_code=CHIENG_AN, details={"who": "Lò Thị E", "when": "tháng 11"},
            )  # fmt: skip
    finally:
        await store.close()


async def _villagers(settings: Settings) -> None:
    """Two subscribers of village notices: one in bản Nam Niệu, one in bản Panh."""
    store = Store(settings.database_url)
    try:
        async with store.transaction() as tx:
            for user, village in (("ba-nam-nieu", NAM_NIEU), ("ba-panh", PANH)):
                c = await tx.contacts.get_or_create(f"sim:{user}", "sim", "vi")
                await tx.contacts.update(c.id, village_id=village, notice_seen=True)
                await tx.subscriptions.set(c.id, ("village_notices",), True)
    finally:
        await store.close()


async def test_officer_sends_a_notice_from_a_phone(
    server: Running, browser: object, tmp_path: Path
) -> None:
    """Compose, preview, go back, confirm, and watch the notice's page fill in by itself."""
    from playwright.async_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    await _villagers(server.settings)
    folder = Path(os.environ.get("BANBOT_SCREENSHOTS") or tmp_path)
    context = await browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    async def fits(where: Page) -> None:  # nothing wider than a narrow phone
        wide = await where.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{where.url} is {wide}px too wide"

    await page.goto(f"{server.url}/ws/login")
    await page.fill("input[name=username]", "can.bo.an")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.click("nav >> text=Thông báo")
    await expect(page.locator("ol.notices")).to_contain_text("Chưa có thông báo nào.")
    await page.click("text=Gửi thông báo mới")
    text = "Sáng mai 7 giờ họp bản ở nhà văn hoá, bà con nhớ mang sổ hộ khẩu."
    await page.fill("textarea[name=text]", text)
    await expect(page.locator("#count")).to_contain_text(f"{len(text)}/1000 ký tự · SMS:")
    await page.check("label.pick:has-text('bản Nam Niệu') input")
    await fits(page)
    await page.screenshot(path=str(folder / "notice-new-phone.png"), full_page=True)
    await page.click("button:has-text('Xem trước')")
    await expect(page.locator("#audience")).to_have_text(
        "Sẽ gửi tới 1 người ở bản Nam Niệu: 1 thử nghiệm."
    )
    await expect(page.locator(".words")).to_have_text(f"📢 phường Chiềng An: {text}")
    await fits(page)
    await page.screenshot(path=str(folder / "notice-preview-phone.png"), full_page=True)
    await page.click("button:has-text('Quay lại sửa')")
    await expect(page.locator("textarea[name=text]")).to_have_value(text)
    await expect(page.locator("label.pick:has-text('bản Nam Niệu') input")).to_be_checked()
    await page.click("button:has-text('Xem trước')")
    await page.click("button:has-text('Xác nhận gửi')")
    await expect(page.locator(".notice")).to_contain_text("Đã nhận thông báo số")
    # The progress refreshes by itself (htmx) until the message is out and the watch is done.
    await expect(page.locator("#n-sent")).to_have_text("1", timeout=15_000)
    await expect(page.locator("#notice-status")).to_have_text("Đã gửi xong", timeout=15_000)
    await expect(page.locator("#progress details")).to_have_count(0)  # no Cancel once done
    await fits(page)
    await page.screenshot(path=str(folder / "notice-phone.png"), full_page=True)
    await page.click("text=← Thông báo")
    await expect(page.locator("ol.notices li")).to_have_count(1)
    await expect(page.locator("ol.notices")).to_contain_text("Đã gửi 1/1")
    await fits(page)
    await page.screenshot(path=str(folder / "notices-phone.png"), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.screenshot(path=str(folder / "notices-laptop.png"), full_page=True)
    assert errors == []
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        got = (await http.get("/sim/outbox/ba-nam-nieu")).json()["messages"]
        other = (await http.get("/sim/outbox/ba-panh")).json()["messages"]
    assert [m["text"] for m in got] == [f"📢 phường Chiềng An: {text}"] and other == []
    await context.close()
