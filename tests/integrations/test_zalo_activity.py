"""Zalo OA: ``verify`` only verifies; ``parse`` reports activity, ``record_activity`` opens the
reply window; ``reachable`` looks without reserving; paid quota sends outside the window."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from bot.channels.base import Activity, SendError, WebhookRequest
from bot.channels.state import MemoryChannelState
from bot.domain.messages import Outbound
from integrations.zalo.window import CLOSED, window_key
from tests.integrations.harness import Case, check, load, run_case
from tests.integrations.test_zalo import NOW, OK, SEND, USER, body, make, sign, zalo_signature

FOLLOWER = "8381381219617247797"
HOUR = 3600.0


def signed(raw: bytes) -> WebhookRequest:
    headers = {"x-zevent-signature": zalo_signature(raw)}
    return WebhookRequest("POST", "https://bot.example.vn/webhooks/zalo", headers, raw)


def event(name: str, **extra: Any) -> dict[str, Any]:
    """A resident event of any type, from the recorded text message."""
    return body("user_send_text", event_name=name, **extra)


async def test_verify_writes_nothing() -> None:
    state = MemoryChannelState()
    adapter = make(state)
    for name in ("user_send_text.json", "follow.json", "user_submit_info.json"):
        await adapter.verify(signed(load(f"zalo/{name}")))  # authentic; parse never called
    assert state._data == {}
    assert await adapter.reachable(f"zalo:{USER}") == CLOSED
    await adapter.aclose()


OPENING = [
    ("text", load("zalo/user_send_text.json"), USER, "cb31dff1c39642cc1b83"),
    ("follow", load("zalo/follow.json"), FOLLOWER, f"follow:1630985527582:{FOLLOWER}"),
    ("consent form", load("zalo/user_submit_info.json"), USER, None),
    ("sticker", load("zalo/user_send_sticker.json"), USER, "1122334455aabbccddee"),
    ("voice", event("user_send_audio"), USER, "cb31dff1c39642cc1b83"),
    ("file", event("user_send_file"), USER, "cb31dff1c39642cc1b83"),
    ("unknown user_send_*", event("user_send_hologram"), USER, "cb31dff1c39642cc1b83"),
]


@pytest.mark.parametrize(("label", "raw", "user", "msg_id"), OPENING, ids=[o[0] for o in OPENING])
async def test_resident_events_open_the_window_through_the_route(
    label: str, raw: bytes | dict[str, Any], user: str, msg_id: str | None
) -> None:
    state = MemoryChannelState()
    stamp = int(json.loads(raw)["timestamp"] if isinstance(raw, bytes) else raw["timestamp"])
    adapter = make(state, clock=lambda: stamp / 1000 + 60)  # a minute after the event
    await run_case(adapter, Case(label, raw), sign)
    found = await state.get(window_key(user))
    assert found is not None, label
    assert found[0]["sent"] == 0
    if msg_id is not None:
        assert found[0]["msg_id"] == msg_id
    assert await adapter.reachable(f"zalo:{user}") is None
    await adapter.aclose()


NOT_OPENING = [
    ("unfollow", load("zalo/unfollow.json"), FOLLOWER),
    ("OA echo", load("zalo/oa_send_text.json"), USER),
    ("delivery report", load("zalo/user_received_message.json"), USER),
    ("reaction (not user_send_*)", event("user_reacted_message"), USER),
]


@pytest.mark.parametrize(("label", "raw", "user"), NOT_OPENING, ids=[o[0] for o in NOT_OPENING])
async def test_other_events_leave_the_window_alone(
    label: str, raw: bytes | dict[str, Any], user: str
) -> None:
    state = MemoryChannelState()
    adapter = make(state)
    responses, recorder = await run_case(adapter, Case(label, raw), sign)
    assert [r.status_code for r in responses] == [200]
    assert all(not r.activity for r in recorder.results), label
    assert await state.get(window_key(user)) is None
    await adapter.aclose()


def test_parse_reports_the_event_time_to_the_millisecond() -> None:
    result = make().parse(signed(load("zalo/user_send_text.json")))
    at = datetime(2026, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)
    assert list(result.activity) == [Activity(f"zalo:{USER}", at, "cb31dff1c39642cc1b83")]
    assert result.inbounds[0].received_at == at


async def test_a_sticker_opens_the_window_but_asks_for_no_reply() -> None:
    case = Case("sticker", load("zalo/user_send_sticker.json"))  # no inbound expected
    state = MemoryChannelState()
    adapter = make(state)
    responses, recorder = await run_case(adapter, case, sign)
    check(case, responses, recorder)
    assert await state.get(window_key(USER)) is not None
    await adapter.aclose()


# -- reachable --------------------------------------------------------------------------------


async def test_reachable_looks_without_reserving() -> None:
    clock = [NOW]
    adapter = make(clock=lambda: clock[0])
    address = f"zalo:{USER}"
    assert await adapter.reachable(address) == CLOSED  # never wrote
    await adapter.record_activity([Activity(address, None, "m1")])  # no event time: now
    for _ in range(20):
        assert await adapter.reachable(address) is None
    for _ in range(8):
        await adapter.window.reserve(USER)  # the 8 free replies are all still there
    assert await adapter.reachable(address) == CLOSED  # used up
    await adapter.record_activity([Activity(address, None, "m2")])
    assert await adapter.reachable(address) is None
    clock[0] = NOW + 48 * HOUR + 1
    assert await adapter.reachable(address) == CLOSED  # 48 hours passed
    await adapter.aclose()


async def test_reachable_refuses_a_foreign_address() -> None:
    adapter = make()
    with pytest.raises(ValueError, match="not a Zalo OA address"):
        await adapter.reachable("tel:+84912345678")
    await adapter.aclose()


async def test_paid_quota_makes_every_follower_reachable() -> None:
    adapter = make(zalo={"paid_quota": True})
    assert await adapter.reachable(f"zalo:{USER}") is None
    await adapter.aclose()


# -- send with and without paid quota ----------------------------------------------------------


def out() -> Outbound:
    return Outbound("zalo", f"zalo:{USER}", "Thông báo của xã")


async def test_outside_the_window_paid_quota_sends_with_user_id_only() -> None:
    state = MemoryChannelState()
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(SEND).mock(return_value=httpx.Response(200, json=OK))
        adapter = make(state, zalo={"paid_quota": True})
        assert (await adapter.send(out())).external_id == "oa-msg-1"
        await adapter.aclose()
    sent = json.loads(route.calls.last.request.content)
    assert sent["recipient"] == {"user_id": USER}  # counted by Zalo as proactive
    assert await state.get(window_key(USER)) is None  # no free reply taken or invented


async def test_inside_the_window_paid_quota_still_uses_a_free_reply() -> None:
    state = MemoryChannelState()
    with respx.mock(assert_all_called=True) as mock:
        mock.post(SEND).mock(return_value=httpx.Response(200, json=OK))
        adapter = make(state, zalo={"paid_quota": True})
        await adapter.record_activity([Activity(f"zalo:{USER}", None, "m1")])
        await adapter.send(out())
        await adapter.aclose()
    found = await state.get(window_key(USER))
    assert found is not None and found[0]["sent"] == 1


async def test_an_unknown_send_keeps_its_reply_slot() -> None:
    """Zalo may have counted a message whose answer never came: the slot stays taken."""
    state = MemoryChannelState()
    with respx.mock(assert_all_called=True) as mock:
        mock.post(SEND).mock(side_effect=httpx.ReadTimeout("no answer"))
        adapter = make(state)
        await adapter.record_activity([Activity(f"zalo:{USER}", None, "m1")])
        with pytest.raises(SendError) as caught:
            await adapter.send(out())
        await adapter.aclose()
    assert caught.value.kind == "unknown"
    found = await state.get(window_key(USER))
    assert found is not None and found[0]["sent"] == 1
