"""Acting on a report: the workflow, what the resident is told, history, assignment."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.web.workspace.messenger import UnwiredMessenger
from tests.workspace.conftest import CHIENG_AN, MAI_SON, Env


async def _officer(env: Env, name: str = "an", commune: str = CHIENG_AN) -> dict[str, str]:
    await env.user(name, "officer", commune)
    return {"Authorization": f"Bearer {await env.token(name)}"}


async def _status(env: Env, auth: dict[str, str], ref: str, status: str, **kw: Any) -> Any:
    return await env.client.post(
        f"/api/v1/reports/{ref}/status", json={"status": status, **kw}, headers=auth
    )


async def _detail(env: Env, auth: dict[str, str], ref: str) -> dict[str, Any]:
    r = await env.client.get(f"/api/v1/reports/{ref}", headers=auth)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_the_whole_workflow_with_what_the_resident_hears(env: Env) -> None:
    auth = await _officer(env)
    report = await env.report(urn="sim:ba-lo")
    steps = [
        ("acknowledged", None, f"Cán bộ xã đã nhận phản ánh {report.ref} của anh/chị ạ."),
        ("in_progress", None, None),
        ("resolved", "Đã đưa 4 người đến nhà văn hoá", f"Phản ánh {report.ref} đã được cán bộ"),
    ]
    for status, note, told in steps:
        before = len(env.messenger.told)
        r = await _status(env, auth, report.ref, status, note=note)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status
        new = env.messenger.told[before:]
        if told is None:
            assert new == []
        else:
            assert len(new) == 1
            contact_id, text, kind = new[0]
            assert (contact_id, kind) == (report.contact_id, "status")
            assert text.startswith(told)
    body = await _detail(env, auth, report.ref)
    assert body["status"] == "resolved" and body["closed_at"] and body["acknowledged_at"]
    assert [(e["kind"], e["status"]) for e in body["history"]] == [
        ("status", "new"), ("status", "acknowledged"), ("status", "in_progress"),
        ("status", "resolved"),
    ]  # fmt: skip
    officer = env.users["an"]
    assert {e["actor"] for e in body["history"][1:]} == {f"user:{officer.id}"}
    assert body["history"][-1]["note"] == "Đã đưa 4 người đến nhà văn hoá"


async def test_moves_outside_the_workflow_are_refused_and_change_nothing(env: Env) -> None:
    auth = await _officer(env)
    report = await env.report()
    for status in ("in_progress", "resolved", "new"):
        r = await _status(env, auth, report.ref, status)
        assert r.status_code == 422, status
    assert (await _detail(env, auth, report.ref))["status"] == "new"
    assert env.messenger.told == []


async def test_rejecting_needs_a_reason_and_tells_it(env: Env) -> None:
    auth = await _officer(env)
    report = await env.report()
    assert (await _status(env, auth, report.ref, "rejected")).status_code == 422
    assert (await _status(env, auth, report.ref, "rejected", note="  ")).status_code == 422
    r = await _status(env, auth, report.ref, "rejected", note="Trùng với phản ánh TT-ABCDEF")
    assert r.status_code == 200
    ((_, text, _),) = env.messenger.told
    assert "Lý do: Trùng với phản ánh TT-ABCDEF" in text and report.ref in text
    # Reopened: not closed any more.
    assert (await _status(env, auth, report.ref, "in_progress")).status_code == 200
    assert (await _detail(env, auth, report.ref))["closed_at"] is None


async def test_a_resident_who_writes_english_is_told_in_english(env: Env) -> None:
    auth = await _officer(env)
    report = await env.report(urn="sim:en-user")
    async with env.bot.store.transaction() as tx:
        await tx.contacts.update(report.contact_id, language="en")
    await _status(env, auth, report.ref, "acknowledged")
    assert env.messenger.told[0][1].startswith("The commune officer has received")


async def test_reply_goes_to_the_resident_and_into_the_history(env: Env) -> None:
    auth = await _officer(env)
    report = await env.report()
    body = {"text": "Chiều nay cán bộ xã đến nhà."}
    r = await env.client.post(f"/api/v1/reports/{report.ref}/replies", json=body, headers=auth)
    assert r.status_code == 200
    ((contact_id, text, kind),) = env.messenger.told
    assert (contact_id, kind) == (report.contact_id, "officer_reply")
    assert text.startswith(
        f"Cán bộ xã trả lời (phản ánh {report.ref}): Chiều nay cán bộ xã đến nhà."
    )
    assert "nhắn lại ở đây" in text  # true: their next messages go to this report
    async with env.bot.store.read() as tx:
        resident = await tx.contacts.get(report.contact_id)
    assert resident is not None and resident.talking_ref == report.ref
    history = (await _detail(env, auth, report.ref))["history"]
    assert history[-1]["kind"] == "reply" and history[-1]["note"] == "Chiều nay cán bộ xã đến nhà."
    assert (await _detail(env, auth, report.ref))["status"] == "new"  # a reply is no status


async def test_a_note_is_internal(env: Env) -> None:
    auth = await _officer(env)
    report = await env.report()
    r = await env.client.post(f"/api/v1/reports/{report.ref}/notes",
                              json={"text": "Nhà ông Lò ở cuối bản"}, headers=auth)  # fmt: skip
    assert r.status_code == 200
    assert env.messenger.told == []
    assert (await _detail(env, auth, report.ref))["history"][-1]["kind"] == "note"


async def test_without_a_way_to_reach_residents_nothing_is_kept(env: Env) -> None:
    auth = await _officer(env)
    report = await env.report()
    env.client._transport.app.state.workspace.messenger = UnwiredMessenger()  # type: ignore[attr-defined]
    r = await env.client.post(f"/api/v1/reports/{report.ref}/replies", json={"text": "Chào"},
                              headers=auth)  # fmt: skip
    assert r.status_code == 503
    r = await _status(env, auth, report.ref, "acknowledged")
    assert r.status_code == 503
    body = await _detail(env, auth, report.ref)
    assert body["status"] == "new" and [e["kind"] for e in body["history"]] == ["status"]
    # The page says so instead of "sent".
    assert (await env.page_login("an")).status_code == 303
    csrf = await env.csrf()
    page = await env.client.post(f"/ws/reports/{report.ref}/reply",
                                 data={"text": "Chào", "csrf": csrf})  # fmt: skip
    assert page.status_code == 422 and "Chưa gửi được" in page.text


async def test_assignment_only_to_officers_of_the_report_commune(env: Env) -> None:
    auth = await _officer(env)
    other = await env.user("binh", "officer", CHIENG_AN)
    far = await env.user("chi", "officer", MAI_SON)
    report = await env.report()
    path = f"/api/v1/reports/{report.ref}/assign"
    r = await env.client.post(path, json={"user_id": other.id}, headers=auth)
    assert r.status_code == 200 and r.json()["assigned_to"] == other.id
    assert (await env.client.post(path, json={"user_id": far.id}, headers=auth)).status_code == 422
    assert (await env.client.post(path, json={"user_id": 999}, headers=auth)).status_code == 422
    r = await env.client.post(path, json={"user_id": None}, headers=auth)
    assert r.json()["assigned_to"] is None
    kinds = [e["kind"] for e in (await _detail(env, auth, report.ref))["history"]]
    assert kinds == ["status", "assign", "assign"]


async def test_report_page_actions_through_forms(env: Env) -> None:
    await env.user("an", "officer", CHIENG_AN)
    report = await env.report()
    assert (await env.page_login("an")).status_code == 303
    page = await env.client.get(f"/ws/reports/{report.ref}")
    assert page.status_code == 200 and "Nhận xử lý" in page.text and "Vì sao khẩn" in page.text
    assert "Ngập lụt" in page.text  # the urgency reason in words
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = await env.client.post(f"/ws/reports/{report.ref}/status",
                              data={"status": "acknowledged", "csrf": csrf})  # fmt: skip
    assert r.status_code == 303
    page = await env.client.get(r.headers["location"])
    assert "Đã cập nhật trạng thái" in page.text and 'id="status">Đã nhận' in page.text
    r = await env.client.post(f"/ws/reports/{report.ref}/assign",
                              data={"user_id": "me", "csrf": csrf})  # fmt: skip
    page = await env.client.get(r.headers["location"])
    assert "Giao cho <b>an</b>" in page.text
    bad = await env.client.post(f"/ws/reports/{report.ref}/status",
                                data={"status": "rejected", "csrf": csrf})  # fmt: skip
    assert bad.status_code == 422 and "Cần ghi lý do" in bad.text


@pytest.mark.parametrize("ref", ["tt-xxxxxx", "../../etc", "TT-ZZZZZZ"])
async def test_odd_codes_are_plain_404s(env: Env, ref: str) -> None:
    auth = await _officer(env)
    r = await env.client.get(f"/api/v1/reports/{ref}", headers=auth)
    assert r.status_code == 404


async def test_a_resident_who_cannot_be_reached(env: Env) -> None:
    """A status change still happens (the history says the resident was not told); a reply,
    whose only point is to reach them, is refused and nothing is kept."""
    auth = await _officer(env)
    report = await env.report()
    env.messenger.unreachable.add(report.contact_id)
    r = await _status(env, auth, report.ref, "acknowledged")
    assert r.status_code == 200 and r.json()["resident_told"] is False
    last = (await _detail(env, auth, report.ref))["history"][-1]
    assert last["detail"] == {"resident_told": False, "why": "no_route"}
    r = await env.client.post(f"/api/v1/reports/{report.ref}/replies", json={"text": "Chào"},
                              headers=auth)  # fmt: skip
    assert r.status_code == 422 and "no_route" in r.json()["detail"]
    assert [e["kind"] for e in (await _detail(env, auth, report.ref))["history"]] == [
        "status", "status"]  # fmt: skip
    assert (await env.page_login("an")).status_code == 303
    page = await env.client.get(f"/ws/reports/{report.ref}")
    assert "chưa báo được người dân" in page.text
    r = await _status(env, auth, report.ref, "in_progress")
    assert r.json()["resident_told"] is None  # not a status the resident is told about
