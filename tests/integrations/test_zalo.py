"""Zalo OA adapter: labelled webhook cases through the real route, and send through respx."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from bot.channels.base import SendError
from bot.channels.state import MemoryChannelState
from bot.config import Settings, ZaloSettings
from bot.domain.messages import Button, Location, Outbound
from integrations.registry import build_enabled
from integrations.zalo.adapter import ZaloOaAdapter
from integrations.zalo.tokens import TOKEN_KEY
from tests.integrations.harness import Case, check, deps, load, run_case

APP_ID = "1234567890123456789"
OA_KEY = "oa_secret_key_example"
USER = "2468458835296197922"
API = "https://openapi.zalo.me"
SEND = f"{API}/v3.0/oa/message/cs"
OAUTH = "https://oauth.zaloapp.com/v4/oa/access_token"
NOW = 1_767_225_600.0  # 2026-01-01 00:00 UTC, the recorded payloads' time


def settings(**overrides: Any) -> ZaloSettings:
    values: dict[str, Any] = {
        "enabled": True,
        "app_id": APP_ID,
        "app_secret": "app-secret-xyz",
        "oa_secret_key": OA_KEY,
        "access_token": "access-1",
        "refresh_token": "refresh-1",
    }
    values.update(overrides)
    return ZaloSettings(**values)


def make(
    state: MemoryChannelState | None = None, zalo: dict[str, Any] | None = None, **kw: Any
) -> ZaloOaAdapter:
    """The adapter at ``NOW`` over ``state``; ``zalo`` overrides settings, ``kw`` the deps."""
    kw.setdefault("clock", lambda: NOW)
    kw.setdefault("poll_seconds", 0.01)
    zalo_settings = settings(**(zalo or {}))
    return ZaloOaAdapter(
        Settings(env="test", zalo=zalo_settings), deps(state=state or MemoryChannelState(), **kw)
    )


def zalo_signature(raw: bytes, key: str = OA_KEY) -> str:
    """The published formula, computed independently of the adapter."""
    try:
        stamp = str(json.loads(raw)["timestamp"])
    except (ValueError, KeyError, TypeError):
        stamp = ""
    return hashlib.sha256(APP_ID.encode() + raw + stamp.encode() + key.encode()).hexdigest()


def sign(url: str, raw: bytes, headers: dict[str, str]) -> dict[str, str]:
    return {"X-ZEvent-Signature": zalo_signature(raw)}


def body(name: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(load(f"zalo/{name}.json"))
    data.update(changes)
    return data


LONG = "Nhà tôi ở bản Mường, xã Chiềng Pấc. " * 150  # ~5,000 characters, over Zalo's 2,000

CASES = [
    Case(
        "plain text",
        load("zalo/user_send_text.json"),
        inbounds=[
            {
                "adapter": "zalo",
                "address": f"zalo:{USER}",
                "external_id": "cb31dff1c39642cc1b83",
                "text": "nha toi bi ngap, can ho tro",
                "button": None,
            }
        ],
    ),
    Case(
        "signature with mac= prefix",
        load("zalo/user_send_text.json"),
        headers={"X-ZEvent-Signature": "mac=" + zalo_signature(load("zalo/user_send_text.json"))},
        inbounds=[{"external_id": "cb31dff1c39642cc1b83"}],
    ),
    Case(
        "button press",
        load("zalo/user_send_text_button.json"),
        inbounds=[{"address": f"zalo:{USER}", "text": "Có", "button": "yes"}],
    ),
    Case(
        "location (attachment coordinates as strings)",
        load("zalo/user_send_location.json"),
        inbounds=[{"location": Location(lat=21.3256, lon=103.9188), "media": ()}],
    ),
    Case(
        "location (flat message.location as numbers)",
        load("zalo/user_send_location_flat.json"),
        inbounds=[{"location": Location(lat=22.3964, lon=103.4582)}],
    ),
    Case(
        "photo by reference, caption as text",
        load("zalo/user_send_image.json"),
        inbounds=[{"media": ("https://photo-link.zdn.vn/ab12/full.jpg",), "text": "Nhà bị sạt"}],
    ),
    Case(
        "contact share via the consent form",
        load("zalo/user_submit_info.json"),
        inbounds=[{"contact_phone": "84912345678", "contact_name": "Lò Văn Páo"}],
    ),
    Case(
        "follow starts a conversation",
        load("zalo/follow.json"),
        inbounds=[
            {
                "address": "zalo:8381381219617247797",
                "event": "start",
                "external_id": "follow:1630985527582:8381381219617247797",
            }
        ],
    ),
    Case(
        "unfollow stops",
        load("zalo/unfollow.json"),
        inbounds=[{"address": "zalo:8381381219617247797", "event": "stop"}],
    ),
    Case(
        "delivered report",
        load("zalo/user_received_message.json"),
        statuses=[{"external_id": "b7c4a1f09e2d3c5b6a78", "status": "delivered"}],
    ),
    Case(
        "seen report for two messages",
        load("zalo/user_seen_message.json"),
        statuses=[
            {"external_id": "b7c4a1f09e2d3c5b6a78", "status": "read"},
            {"external_id": "c8d5b2a10f3e4d6c7b89", "status": "read"},
        ],
    ),
    Case("OA echo ignored", load("zalo/oa_send_text.json")),
    Case("sticker ignored", load("zalo/user_send_sticker.json")),
    Case("unknown event type", body("user_send_text", event_name="user_reacted_message")),
    Case("invalid JSON (signed)", b'{"event_name": "user_send_text", ', status=400),
    Case("missing signature", load("zalo/user_send_text.json"), status=401, sign=False),
    Case(
        "wrong signature",
        load("zalo/user_send_text.json"),
        status=403,
        headers={"X-ZEvent-Signature": zalo_signature(b"{}", key="not-the-key")},
    ),
    Case(
        "signed for another app",
        load("zalo/user_send_text.json"),
        status=403,
        headers={"X-ZEvent-Signature": "mac=" + "0" * 64},
    ),
    Case(
        "replayed delivery processed once",
        load("zalo/user_send_text.json"),
        repeat=3,
        inbounds=[{"external_id": "cb31dff1c39642cc1b83"}],
    ),
    Case(
        "oversize text passed whole (the pipeline caps it)",
        body("user_send_text", message={"msg_id": "big1", "text": LONG}),
        inbounds=[{"text": LONG}],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
async def test_webhook_cases(case: Case) -> None:
    adapter = make()
    try:
        responses, recorder = await run_case(adapter, case, sign)
        check(case, responses, recorder)
    finally:
        await adapter.aclose()


def test_signature_matches_the_reference_vector() -> None:
    from integrations.zalo.signature import signature

    raw = (
        '{"app_id":"1234567890123456789","user_id_by_app":"5522172797175877301",'
        '"event_name":"user_send_text","timestamp":"1767225600123",'
        '"sender":{"id":"2468458835296197922"},"recipient":{"id":"579745863508352884"},'
        '"message":{"msg_id":"This is message id","text":"Xin chào shop"}}'
    ).encode()
    expected = "88f7ca6c27b6f33bd7f0f215da90706fc52ad141ec5c20b3972379e4a737dcb2"
    assert signature(APP_ID, raw, "1767225600123", OA_KEY) == expected


async def test_rejected_delivery_opens_no_window() -> None:
    state = MemoryChannelState()
    adapter = make(state)
    case = Case(
        "wrong",
        load("zalo/user_send_text.json"),
        status=403,
        sign=False,
        headers={"X-ZEvent-Signature": "f" * 64},
    )
    await run_case(adapter, case, sign)
    assert await state.get(f"zalo:window:{USER}") is None
    await adapter.aclose()


# -- send -------------------------------------------------------------------------------------


@pytest.fixture
def zalo_api() -> Iterator[respx.MockRouter]:
    """Zalo's hosts, mocked at the transport; a route never called fails the test."""
    with respx.mock(assert_all_called=True) as mock:
        yield mock


async def opened(adapter: ZaloOaAdapter, user: str = USER) -> None:
    """The resident wrote just now (as verify records it)."""
    await adapter.window.user_wrote(user, int(NOW * 1000), f"m-{user}")


def out(text: str = "Chào bà con", buttons: tuple[Button, ...] = ()) -> Outbound:
    return Outbound("zalo", f"zalo:{USER}", text, buttons=buttons)


OK = {"error": 0, "message": "Success", "data": {"message_id": "oa-msg-1", "user_id": USER}}


async def test_send_text_success(zalo_api: respx.MockRouter) -> None:
    route = zalo_api.post(SEND).mock(return_value=httpx.Response(200, json=OK))
    adapter = make()
    await opened(adapter)
    result = await adapter.send(out())
    assert result.external_id == "oa-msg-1"
    sent = route.calls.last.request
    assert sent.headers["access_token"] == "access-1"
    assert json.loads(sent.content) == {
        "recipient": {"user_id": USER},
        "message": {"text": "Chào bà con"},
    }
    await adapter.aclose()


async def test_send_buttons_as_template(zalo_api: respx.MockRouter) -> None:
    route = zalo_api.post(SEND).mock(return_value=httpx.Response(200, json=OK))
    adapter = make()
    await opened(adapter)
    await adapter.send(out("Nhà có bị ngập?", (Button("Có", "yes"), Button("Không", "no"))))
    message = json.loads(route.calls.last.request.content)["message"]
    assert message["text"] == "Nhà có bị ngập?"
    assert message["attachment"] == {
        "type": "template",
        "payload": {
            "buttons": [
                {"title": "Có", "type": "oa.query.show", "payload": "Có #bb:yes"},
                {"title": "Không", "type": "oa.query.show", "payload": "Không #bb:no"},
            ]
        },
    }
    await adapter.aclose()


async def test_expired_token_is_refreshed_once_and_the_send_retried(
    zalo_api: respx.MockRouter,
) -> None:
    state = MemoryChannelState()
    expired = {"error": -216, "message": "Access token is invalid"}
    send = zalo_api.post(SEND).mock(
        side_effect=[httpx.Response(200, json=expired), httpx.Response(200, json=OK)]
    )
    grant = {"access_token": "access-2", "refresh_token": "refresh-2", "expires_in": "90000"}
    refresh = zalo_api.post(OAUTH).mock(return_value=httpx.Response(200, json=grant))
    adapter = make(state)
    await opened(adapter)
    assert (await adapter.send(out())).external_id == "oa-msg-1"
    assert [c.request.headers["access_token"] for c in send.calls] == ["access-1", "access-2"]
    form = dict(httpx.QueryParams(refresh.calls.last.request.content.decode()))
    assert form == {"refresh_token": "refresh-1", "app_id": APP_ID, "grant_type": "refresh_token"}
    assert refresh.calls.last.request.headers["secret_key"] == "app-secret-xyz"
    stored = await state.get(TOKEN_KEY)
    assert stored is not None
    assert stored[0]["refresh_token"] == "refresh-2"
    assert stored[0]["expires_at"] == NOW + 90000
    await adapter.aclose()


@pytest.mark.parametrize(
    ("answer", "kind", "code"),
    [
        (httpx.Response(429, headers={"Retry-After": "7"}), "throttled", "http_429"),
        (
            httpx.Response(200, json={"error": -211, "message": "Out of quota"}),
            "throttled",
            "zalo_-211",
        ),
        (
            httpx.Response(200, json={"error": -32, "message": "Exceed rate limit"}),
            "throttled",
            "zalo_-32",
        ),
        (
            httpx.Response(200, json={"error": -213, "message": "User has not followed OA"}),
            "stopped",
            "zalo_-213",
        ),
        (
            httpx.Response(
                200,
                json={
                    "error": -230,
                    "message": "User has not interacted with the OA in the past 7 days",
                },
            ),
            "permanent",
            "zalo_window_closed",
        ),
        (
            httpx.Response(200, json={"error": -201, "message": "Parameters invalid"}),
            "permanent",
            "zalo_-201",
        ),
        (httpx.Response(400, text="bad"), "permanent", "http_error"),
        (httpx.Response(502, text="bad gateway"), "retryable", None),
        # was "retryable": an answer we cannot read may follow a message Zalo took
        (httpx.Response(200, text="<html>proxy</html>"), "unknown", "zalo_unreadable"),
    ],
    ids=[
        "429",
        "quota",
        "rate",
        "not-following",
        "no-interaction",
        "bad-param",
        "400",
        "502",
        "not-json",
    ],
)
async def test_send_errors_are_mapped(answer: httpx.Response, kind: str, code: str | None) -> None:
    with respx.mock(assert_all_called=True) as mock:
        mock.post(SEND).mock(return_value=answer)
        adapter = make()
        await opened(adapter)
        with pytest.raises(SendError) as caught:
            await adapter.send(out())
        await adapter.aclose()
    assert (caught.value.kind, caught.value.code) == (kind, code)
    if code == "http_429":
        assert caught.value.retry_after == 7


async def test_network_error_is_retryable_and_gives_the_slot_back(
    zalo_api: respx.MockRouter,
) -> None:
    zalo_api.post(SEND).mock(side_effect=httpx.ConnectError("boom"))
    state = MemoryChannelState()
    adapter = make(state)
    await opened(adapter)
    with pytest.raises(SendError) as caught:
        await adapter.send(out())
    assert caught.value.kind == "retryable"
    window = await state.get(f"zalo:window:{USER}")
    assert window is not None and window[0]["sent"] == 0
    await adapter.aclose()


async def test_closed_window_never_calls_zalo() -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(SEND).mock(return_value=httpx.Response(200, json=OK))
        adapter = make()
        with pytest.raises(SendError) as caught:
            await adapter.send(out())
        await adapter.aclose()
    assert (caught.value.kind, caught.value.code) == ("permanent", "zalo_window_closed")
    assert not route.called


async def test_refused_refresh_is_permanent_and_logged_without_secrets(
    zalo_api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    zalo_api.post(SEND).mock(return_value=httpx.Response(200, json={"error": -216, "message": "x"}))
    zalo_api.post(OAUTH).mock(
        return_value=httpx.Response(200, json={"error": -14014, "error_name": "Invalid"})
    )
    adapter = make()
    await opened(adapter)
    with pytest.raises(SendError) as caught:
        await adapter.send(out())
    assert (caught.value.kind, caught.value.code) == ("permanent", "zalo_auth")
    for secret in ("access-1", "refresh-1", "app-secret-xyz", OA_KEY):
        assert secret not in caplog.text
    await adapter.aclose()


async def test_set_webhook_tells_the_operator_where() -> None:
    adapter = make()
    with pytest.raises(NotImplementedError, match=r"developers\.zalo\.me.*https://x\.vn/w"):
        await adapter.set_webhook("https://x.vn/w")
    await adapter.aclose()


async def test_build_from_settings() -> None:
    texts = deps(lambda key, lang: "Trả lời bằng số")
    adapter = build_enabled(Settings(env="test", zalo=settings()), texts)["zalo"]
    assert (adapter.name, adapter.rendering) == ("zalo", "zalo")
    await adapter.aclose()
