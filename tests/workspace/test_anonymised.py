"""A report whose resident had their data erased: kept for the officer, without the personal
fields, and shown as anonymised on the report page, in the queue and in the JSON API."""

from __future__ import annotations

import itertools

from bot.domain.messages import Inbound
from tests.workspace.conftest import CHIENG_AN, Env

_ids = itertools.count(1)
HOA = "sim:hoa-ws"


async def _erase_through_the_chat(env: Env) -> None:
    for text in ("xoá dữ liệu của tôi", "có"):
        out = await env.bot.pipeline.handle(Inbound("sim", HOA, f"w{next(_ids)}", text=text))
        assert out.replies
    assert "Đã xoá dữ liệu" in out.replies[0].text


async def test_an_erased_residents_open_report_is_kept_and_labelled(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    auth = {"Authorization": f"Bearer {await env.token('an')}"}
    details = {"hazard": "flood", "people": 3, "house_state": "flooded",
               "place": "nhà ông Lò Văn Pọm cạnh suối", "location_text": "sau trường"}  # fmt: skip
    report = await env.report(
        urn=HOA, details=details, photos=["photo:1"], lat=21.3277, lon=103.9143
    )
    before = (await env.client.get(f"/api/v1/reports/{report.ref}", headers=auth)).json()
    assert before["anonymised"] is False and before["anonymised_at"] is None

    await _erase_through_the_chat(env)

    r = await env.client.get(f"/api/v1/reports/{report.ref}", headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["anonymised"] is True and body["anonymised_at"]
    assert body["status"] == "new" and body["kind"] == "disaster"
    assert (body["village"], body["commune"]) == (report.village_id, CHIENG_AN)
    assert body["details"] == {"hazard": "flood", "people": 3, "house_state": "flooded"}
    assert body["photos"] == [] and (body["lat"], body["lon"]) == (21.33, 103.91)
    assert "Pọm" not in r.text and HOA not in r.text
    listed = (await env.client.get("/api/v1/reports", headers=auth)).json()["items"]
    assert [i["anonymised"] for i in listed if i["ref"] == report.ref] == [True]

    env.client.headers.pop("Authorization", None)
    assert (await env.page_login("an")).status_code in (200, 303)
    page = await env.client.get(f"/ws/reports/{report.ref}")
    assert page.status_code == 200
    assert 'id="anonymised"' in page.text and "Đã ẩn danh" in page.text
    assert "Pọm" not in page.text and "sau trường" not in page.text
    queue = await env.client.get("/ws/")
    assert "Ẩn danh" in queue.text
