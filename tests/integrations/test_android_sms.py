"""android_sms: labelled webhook cases through the real route, sends mocked with respx.

Requests are signed with the gateway's documented formula
``hex(HMAC-SHA256(signing_key, raw_body + X-Timestamp))``; the formula itself is checked
against the two vectors in shared/reference/sms_gateway.md (computed there with openssl).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fastapi import FastAPI

from bot.channels.base import AdapterConfigError, SendError, Unauthorized, WebhookRequest
from bot.channels.webhook import webhook_router
from bot.config import Settings
from bot.domain.messages import Outbound
from bot.engine.texts import Catalog
from integrations.android_sms import signature
from integrations.android_sms.adapter import AndroidSmsAdapter
from tests.integrations.harness import Case, Recorder, check, deps, load, run_case

ROOT = Path(__file__).resolve().parents[2]
KEY = "Zx9kQ2pL"
NOW = 1_783_000_000  # the adapter's clock in these tests
API = "https://api.sms-gate.app/3rdparty/v1"
CATALOG = Catalog.load(ROOT / "dialogs" / "locales")


def texts(key: str, language: str) -> str:
    return CATALOG.text(language, key)


def settings(**section: Any) -> Settings:
    values = {"enabled": True, "username": "sms", "password": "s3cr3t-pass", "signing_key": KEY}
    values.update(section)
    return Settings(env="test", public_url="https://bot.example.vn", android_sms=values)  # type: ignore[arg-type]


@pytest.fixture
def adapter() -> AndroidSmsAdapter:
    return AndroidSmsAdapter(settings(), deps(texts, clock=lambda: NOW))


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """The gateway API, mocked at httpx's transport; a route never called fails the test."""
    with respx.mock(assert_all_called=True) as mock:
        yield mock


def sign(url: str, raw: bytes, headers: dict[str, str]) -> dict[str, str]:
    return {"X-Signature": signature.sign(KEY, raw, str(NOW)), "X-Timestamp": str(NOW)}


def event(name: str, payload: dict[str, Any], envelope_id: str = "Ev0000000000000000001") -> str:
    return json.dumps(
        {
            "deviceId": "ffffffffceb0b1db0000018e937c815b",
            "event": name,
            "id": envelope_id,
            "payload": payload,
            "webhookId": "LreFUt-Z3sSq0JufY9uWB",
        }
    )


def received(text: str, **payload: Any) -> str:
    fields = {
        "messageId": "1a2b3c4d",
        "message": text,
        "sender": "+84912345678",
        "receivedAt": "2026-07-03T09:00:00.000+07:00",
    }
    fields.update(payload)
    return event("sms:received", fields)


RECEIVED = load("android_sms/received.json")
STALE = str(NOW - 600)
KEY_RECEIVED = "5e0f9a21@2026-07-03T08:15:42.517+07:00"

CASES = [
    Case(
        "plain text",
        RECEIVED,
        inbounds=[
            {
                "adapter": "android_sms",
                "address": "tel:+84912345678",
                "external_id": KEY_RECEIVED,
                "text": "nha toi bi ngap, can giup",
                "event": None,
                "received_at": datetime(
                    2026, 7, 3, 8, 15, 42, 517000, timezone(timedelta(hours=7))
                ),
            }
        ],
    ),
    Case(
        "app < 1.54: only phoneNumber, local 0912..., null fields absent",
        load("android_sms/received_legacy_local_number.json"),
        inbounds=[{"address": "tel:+84912345678", "text": "Toi muon vay von"}],
    ),
    Case(
        "sender 84912... without +",
        received("xin chao", sender="84912345678"),
        inbounds=[{"address": "tel:+84912345678"}],
    ),
    Case("STOP", received("STOP"), inbounds=[{"event": "stop", "text": "STOP"}]),
    Case("từ chối (with diacritics)", received("Từ chối"), inbounds=[{"event": "stop"}]),
    Case("HUY DK", received("huy dk"), inbounds=[{"event": "stop"}]),
    Case(
        "bare 'huỷ' cancels a flow, not the subscription",
        received("huỷ"),
        inbounds=[{"event": None}],
    ),
    Case("START", received("START"), inbounds=[{"event": "start"}]),
    Case("carrier short code sender: 200, ignored", received("TK chinh: 5.000d", sender="191")),
    Case("brand-name sender: 200, ignored", received("Khuyen mai", sender="Viettel")),
    Case(
        "sms:sent",
        load("android_sms/sent.json"),
        statuses=[{"external_id": "out-42", "status": "sent"}],
    ),
    Case(
        "sms:delivered",
        load("android_sms/delivered.json"),
        statuses=[{"external_id": "out-42", "status": "delivered", "error_code": None}],
    ),
    Case(
        "sms:failed with the Android reason",
        load("android_sms/failed.json"),
        statuses=[
            {
                "external_id": "out-43",
                "status": "failed",
                "error_code": "RESULT_ERROR_GENERIC_FAILURE",
            }
        ],
    ),
    Case("system:ping: 200, ignored", load("android_sms/ping.json")),
    Case("unknown event (mms:received): 200, ignored", event("mms:received", {"messageId": "m1"})),
    Case("invalid JSON: 400", b'{"event": "sms:received", ', status=400),
    Case("JSON without event: 400", b'{"payload": {}}', status=400),
    Case("sms:received without sender: 400", event("sms:received", {"message": "hi"}), status=400),
    Case("sms:delivered without messageId: 400", event("sms:delivered", {}), status=400),
    Case("missing signature: 401", RECEIVED, sign=False, status=401),
    Case(
        "missing timestamp: 401",
        RECEIVED,
        sign=False,
        headers={"X-Signature": signature.sign(KEY, RECEIVED, str(NOW))},
        status=401,
    ),
    Case(
        "wrong signature: 403",
        RECEIVED,
        headers={"X-Signature": signature.sign("another-key", RECEIVED, str(NOW))},
        status=403,
    ),
    Case(
        "stale timestamp, correctly signed (replay later): 403",
        RECEIVED,
        headers={"X-Timestamp": STALE, "X-Signature": signature.sign(KEY, RECEIVED, STALE)},
        status=403,
    ),
    Case(
        "replayed delivery processed once",
        RECEIVED,
        repeat=2,
        inbounds=[{"external_id": KEY_RECEIVED}],
    ),
    Case(
        "oversize text cut at 1600 characters",
        received("a" * 4000),
        inbounds=[{"text": "a" * 1600}],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
async def test_webhook_cases(adapter: AndroidSmsAdapter, case: Case) -> None:
    responses, recorder = await run_case(adapter, case, sign)
    check(case, responses, recorder)
    if case.status != 200:
        assert not recorder.results, "a rejected request reached the sink"


async def test_duplicate_with_a_new_envelope_id_is_processed_once(
    adapter: AndroidSmsAdapter,
) -> None:
    """capcom6/android-sms-gateway#372: the same SMS re-sent under a different ``id``."""
    recorder = Recorder()
    app = FastAPI()
    app.include_router(webhook_router({adapter.name: adapter}, recorder))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://bot.example.vn") as client:
        for name in ("received.json", "received_duplicate_new_id.json"):
            raw = load(f"android_sms/{name}")
            headers = {"content-type": "application/json", **sign("", raw, {})}
            response = await client.post("/webhooks/android_sms", content=raw, headers=headers)
            assert response.status_code == 200
    assert len(recorder.results) == 2
    assert [m.external_id for m in recorder.inbounds] == [KEY_RECEIVED]


async def test_same_text_later_is_a_new_message(adapter: AndroidSmsAdapter) -> None:
    first = received("1", receivedAt="2026-07-03T09:00:00.000+07:00")
    again = received("1", receivedAt="2026-07-03T09:05:00.000+07:00")
    ids = [
        adapter.parse(WebhookRequest("POST", "u", {}, raw.encode())).inbounds[0].external_id
        for raw in (first, again)
    ]
    assert ids[0] != ids[1]


def test_signature_vectors() -> None:
    assert (
        signature.sign("secret", b'{"a":1}', "1700000000")
        == "5bfb71b792ec829c706a4d9bf7e6cb063d5abc4336963b9ecdb01288e5befb5b"
    )
    assert (
        signature.sign("Zx9kQ2pL", load("android_sms/received_vector.json"), "1750000000")
        == "81f08a14b66a2868d72b4c5389315c117a36b9093a1aa903a75471cae1ce6c80"
    )


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"x-timestamp": str(NOW + 301)}, 403),  # from the future beyond the skew
        ({"x-timestamp": "yesterday"}, 403),
        ({"x-signature": "ÿ" * 64}, 403),  # non-ASCII header must not crash compare_digest
    ],
)
async def test_verify_edge_cases(
    adapter: AndroidSmsAdapter, headers: dict[str, str], status: int
) -> None:
    base = {"x-timestamp": str(NOW)}
    base["x-signature"] = signature.sign(KEY, RECEIVED, base.get("x-timestamp", ""))
    base.update(headers)
    with pytest.raises(Unauthorized) as caught:
        await adapter.verify(WebhookRequest("POST", "u", base, RECEIVED))
    assert caught.value.status == status


async def test_verify_accepts_uppercase_hex_within_the_skew(adapter: AndroidSmsAdapter) -> None:
    ts = str(NOW - 299)
    headers = {"x-timestamp": ts, "x-signature": signature.sign(KEY, RECEIVED, ts).upper()}
    await adapter.verify(WebhookRequest("POST", "u", headers, RECEIVED))


# --- send ---------------------------------------------------------------------------------


def outbound(text: str = "Ba con can gi a?", **meta: Any) -> Outbound:
    return Outbound(
        "sms", "tel:+84912345678", text, meta={"segments": 1, "encoding": "gsm7", **meta}
    )


async def test_send_success(adapter: AndroidSmsAdapter, api: respx.MockRouter) -> None:
    route = api.post(f"{API}/messages").respond(
        202, content=load("android_sms/message_accepted.json")
    )
    result = await adapter.send(outbound(outbound_id="out-42"))
    assert (result.external_id, result.segments) == ("out-42", 1)
    sent = json.loads(route.calls.last.request.content)
    assert sent["id"] == "out-42"
    assert sent["phoneNumbers"] == ["+84912345678"]
    assert sent["textMessage"] == {"text": "Ba con can gi a?"}
    assert sent["withDeliveryReport"] is True
    assert route.calls.last.request.headers["authorization"].startswith("Basic ")


async def test_send_local_mode_uses_the_phone_address(api: respx.MockRouter) -> None:
    local = "http://192.168.1.10:8080"
    adapter = AndroidSmsAdapter(settings(base_url=local), deps(texts))
    api.post(f"{local}/messages").respond(202, content=load("android_sms/message_accepted.json"))
    assert (await adapter.send(outbound())).external_id == "out-42"


async def test_send_retry_with_the_same_id_already_queued_is_success(
    adapter: AndroidSmsAdapter, api: respx.MockRouter
) -> None:
    api.post(f"{API}/messages").respond(409, json={"message": "message with id out-42 exists"})
    assert (await adapter.send(outbound(outbound_id="out-42"))).external_id == "out-42"


@pytest.mark.parametrize(
    ("response", "kind", "retry_after"),
    [
        (httpx.Response(429, headers={"Retry-After": "30"}), "throttled", 30.0),
        (httpx.Response(503, content=load("android_sms/queue_full.json")), "throttled", 60.0),
        (httpx.Response(503, json={"message": "device offline"}), "retryable", None),
        (httpx.Response(500, json={"message": "internal"}), "retryable", None),
        (httpx.Response(400, json={"message": "invalid phone number"}), "permanent", None),
        (httpx.Response(401, json={"message": "unauthorized"}), "permanent", None),
        (httpx.Response(403, json={"message": "missing scope"}), "permanent", None),
    ],
    ids=["429", "503 queue full", "503 other", "500", "400", "401", "403"],
)
async def test_send_errors_map_to_one_vocabulary(
    adapter: AndroidSmsAdapter, response: httpx.Response, kind: str, retry_after: float | None
) -> None:
    with respx.mock(assert_all_called=True) as mock:
        mock.post(f"{API}/messages").mock(return_value=response)
        with pytest.raises(SendError) as caught:
            await adapter.send(outbound())
    assert (caught.value.kind, caught.value.retry_after) == (kind, retry_after)


async def test_send_network_error_is_retryable(
    adapter: AndroidSmsAdapter, api: respx.MockRouter
) -> None:
    api.post(f"{API}/messages").mock(side_effect=httpx.ConnectError("no route to phone"))
    with pytest.raises(SendError) as caught:
        await adapter.send(outbound())
    assert caught.value.kind == "retryable"


async def test_send_timeout_is_unknown_and_a_retry_with_our_id_is_safe(
    adapter: AndroidSmsAdapter, api: respx.MockRouter
) -> None:
    route = api.post(f"{API}/messages")
    route.side_effect = [
        httpx.ReadTimeout("the phone took it, the answer got lost"),
        httpx.Response(409, json={"message": "message with id out-42 exists"}),
    ]
    with pytest.raises(SendError) as caught:
        await adapter.send(outbound(outbound_id="out-42"))
    assert (caught.value.kind, caught.value.code) == ("unknown", "network_unknown")
    assert adapter.idempotent_sends  # so the sender may retry it:
    assert (await adapter.send(outbound(outbound_id="out-42"))).external_id == "out-42"


async def test_send_to_a_non_phone_address_is_permanent(adapter: AndroidSmsAdapter) -> None:
    with pytest.raises(SendError) as caught:
        await adapter.send(Outbound("sms", "zalo:123", "hi"))
    assert caught.value.kind == "permanent"


async def test_logs_show_segments_but_no_text_or_secret(
    adapter: AndroidSmsAdapter, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.post(f"{API}/messages").respond(202, content=load("android_sms/message_accepted.json"))
    await adapter.send(outbound("Ma so ho cua ban: 482913", segments=2))
    assert "2 segment(s)" in caplog.text and "gsm7" in caplog.text
    for secret in ("482913", "s3cr3t-pass", KEY, "+84912345678"):
        assert secret not in caplog.text


# --- set_webhook and build ----------------------------------------------------------------


async def test_set_webhook_registers_three_events(
    adapter: AndroidSmsAdapter, api: respx.MockRouter
) -> None:
    route = api.post(f"{API}/webhooks").respond(
        201, content=load("android_sms/webhook_created.json")
    )
    url = "https://bot.example.vn/webhooks/android_sms"
    await adapter.set_webhook(url)
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert {(b["id"], b["event"], b["url"]) for b in bodies} == {
        ("banbot-sms-received", "sms:received", url),
        ("banbot-sms-delivered", "sms:delivered", url),
        ("banbot-sms-failed", "sms:failed", url),
    }


async def test_set_webhook_refuses_plain_http(adapter: AndroidSmsAdapter) -> None:
    with pytest.raises(ValueError, match="https"):
        await adapter.set_webhook("http://192.168.1.5:8000/webhooks/android_sms")


def test_build_refuses_a_missing_signing_key() -> None:
    with pytest.raises(AdapterConfigError, match="BANBOT_ANDROID_SMS__SIGNING_KEY is not set"):
        AndroidSmsAdapter(settings(signing_key=None), deps(texts))
    assert AndroidSmsAdapter(settings(), deps(texts)).name == "android_sms"
