"""Exports (Mẫu 06 / Mẫu 01 shapes), the SVG map and the charts."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from bot.web.workspace.svg import MapPoint, report_map
from tests.workspace.conftest import CHIENG_AN, NAM_NIEU, PANH, Env


async def _login(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    assert (await env.page_login("an")).status_code == 303


async def _named_resident(env: Env, urn: str, name: str, phone: str) -> None:
    async with env.bot.store.transaction() as tx:
        contact = await tx.contacts.get_or_create(urn, "sim", "vi")
        await tx.contacts.update(contact.id, name=name)
        await tx.contacts.add_urn(contact.id, phone, "tel")


async def test_csv_of_disaster_reports_has_the_relief_facts(env: Env) -> None:
    await _login(env)
    await _named_resident(env, "sim:lo-van-a", "Lò Văn A", "tel:+84912345678")
    details = {"hazard": "landslide", "people": 6, "vulnerable": ["elderly", "pregnant"],
               "house_state": "unsafe", "danger_now": True, "place": "=cmd|' /C calc'!A0",
               "urgency_reasons": ["danger_now", "hazard:landslide"]}  # fmt: skip
    report = await env.report(urn="sim:lo-van-a", details=details, subtype="landslide",
                              lat=21.33, lon=103.91, urgency=90, flagged=True)  # fmt: skip
    await env.report(kind="household_change", subtype="birth", details={"who": "Lò B"})
    r = await env.client.get("/ws/export.csv?kind=disaster")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="phan-anh-disaster-' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["Mã phản ánh"] == report.ref
    assert row["Họ tên người báo"] == "Lò Văn A" and row["Số điện thoại"] == "+84912345678"
    assert row["Thôn/bản"] == "bản Nam Niệu" and row["Xã/phường"] == "phường Chiềng An"
    assert row["Loại thiên tai"] == "Sạt lở, nứt đất"  # the catalogue title of the hazard
    assert row["Tình trạng nhà"] == "Hư nặng, không ở được"
    assert row["Số người"] == "6" and row["Có người nguy hiểm ngay"] == "Có"
    assert row["Người già / trẻ em / khuyết tật / mang thai"] == "Người già, Phụ nữ có thai"
    assert row["Vị trí (vĩ độ, kinh độ)"] == "21.330000, 103.910000"
    assert "Có người đang gặp nguy hiểm" in row["Lý do khẩn"]
    assert row["Nơi (người dân ghi)"].startswith("'=")  # never a live formula


async def test_xlsx_has_one_sheet_per_kind_in_its_shape(env: Env) -> None:
    await _login(env)
    await env.report()
    fact = {"who": "Lò Văn C", "when": "tháng 6", "place": "bản Panh"}
    await env.report(kind="household_change", subtype="split", details=fact)
    r = await env.client.get("/ws/export.xlsx")
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["Mẫu 06 - thiên tai", "Mẫu 01 - biến động hộ"]
    change = book["Mẫu 01 - biến động hộ"]
    header = [c.value for c in change[1]]
    assert header[-4:] == ["Loại biến động", "Người liên quan", "Thời gian", "Nơi ở"]
    values = [c.value for c in change[2]]
    assert values[-4:] == ["Tách hộ", "Lò Văn C", "tháng 6", "bản Panh"]


async def test_export_follows_the_filter(env: Env) -> None:
    await _login(env)
    nam = await env.report()
    panh = await env.report(village=PANH)
    r = await env.client.get(f"/ws/export.csv?village={PANH}")
    text = r.content.decode("utf-8-sig")
    assert panh.ref in text and nam.ref not in text


async def test_map_places_pins_villages_and_lists_the_rest(env: Env) -> None:
    await _login(env)
    pinned = await env.report(lat=21.3321, lon=103.9132)
    unplaced = await env.report(village=PANH)
    await env.report()  # bản Nam Niệu, no pin: marker once the village has a position
    page = await env.client.get("/ws/map")
    assert page.status_code == 200
    assert f'href="/ws/reports/{pinned.ref}"' in page.text  # a point that links
    assert "Không có vị trí" in page.text and unplaced.ref in page.text
    async with env.bot.store.transaction() as tx:
        await tx.triage.set_village_position(NAM_NIEU, 21.335, 103.905)
    page = await env.client.get("/ws/map")
    assert "bản Nam Niệu: 1 phản ánh" in page.text
    assert len(re.findall(r"<circle ", page.text)) == 2


def test_map_projection_keeps_points_inside_and_tiles_optional() -> None:
    points = [
        MapPoint(21.30, 103.90, "new", "a", "/ws/reports/TT-1"),
        MapPoint(21.36, 103.97, "resolved", "b <x>", "/ws/reports/TT-2", big=True),
    ]
    svg = str(report_map(points))
    for x, y in re.findall(r'cx="([\d.]+)" cy="([\d.]+)"', svg):
        assert 0 < float(x) < 640 and 0 < float(y) < 420
    assert "<image" not in svg and "b &lt;x&gt;" in svg
    tiled = str(report_map(points, tile_url="https://tiles.example/{z}/{x}/{y}.png"))
    assert re.search(r'<image href="https://tiles.example/\d+/\d+/\d+.png"', tiled)
    assert "Chưa có phản ánh nào có vị trí" in str(report_map([]))


async def test_charts_count_per_week_village_and_time_to_acknowledge(env: Env) -> None:
    await _login(env)
    report = await env.report()
    await env.report(village=PANH)
    async with env.bot.store.transaction() as tx:
        await tx.reports.set_status(report.ref, "acknowledged", actor="user:1")
    env.clock.advance(minutes=1)
    page = await env.client.get("/ws/charts")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3
    assert "bản Nam Niệu: 1" in page.text and "bản Panh: 1" in page.text
    assert "2 phản ánh, 1 đã nhận" in page.text
    env.clock.advance(days=7 * 13)  # out of the 12-week window (and of the session)
    assert (await env.page_login("an")).status_code == 303
    page = await env.client.get("/ws/charts")
    assert "0 phản ánh, 0 đã nhận" in page.text
