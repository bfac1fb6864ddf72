"""twilio_sms: labelled webhook cases through the real route, sends through a fake HttpClient.

Requests are signed with twilio's own ``RequestValidator.compute_signature`` over the URL the
harness posts to and every form field, blank ones included (the library's documented recipe).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import aiohttp
import pytest
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from bot.channels.base import AdapterConfigError, SendError, Unauthorized, WebhookRequest
from bot.config import Settings
from bot.domain.messages import Outbound
from bot.engine.texts import Catalog
from integrations.twilio_sms.adapter import EMPTY_TWIML, TwilioSmsAdapter
from integrations.twilio_sms.payloads import FormParams
from tests.integrations.harness import Case, check, deps, load, run_case

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "12345"
SID = "AC00000000000000000000000000000000"
BASE = "https://bot.example.vn"
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
CATALOG = Catalog.load(ROOT / "dialogs" / "locales")


def texts(key: str, language: str) -> str:
    return CATALOG.text(language, key)


def settings(**twilio: Any) -> Settings:
    section = {"enabled": True, "account_sid": SID, "auth_token": TOKEN}
    section.update(twilio or {"from_number": "+14155550100"})
    return Settings(env="test", public_url=BASE, twilio=section)  # type: ignore[arg-type]


class FakeTwilioHttp(AsyncHttpClient):  # type: ignore[misc]
    """Records every request and answers with scripted responses (or raises scripted errors)."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("fake-twilio"), True)
        self.requests: list[dict[str, Any]] = []
        self.script: list[Response | Exception] = []

    def reply(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        self.script.append(Response(status, body, headers or {}))

    async def request(self, method: str, uri: str, **kwargs: Any) -> Response:
        self.requests.append({"method": method, "url": uri, **kwargs})
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def fake() -> Iterator[FakeTwilioHttp]:
    fake = FakeTwilioHttp()
    yield fake
    assert not fake.script, "a scripted Twilio response was never requested"


@pytest.fixture
def adapter(fake: FakeTwilioHttp) -> TwilioSmsAdapter:
    return TwilioSmsAdapter(settings(), deps(texts, transport=fake))


def form(raw: bytes) -> FormParams:
    """Every field, blank ones kept (strict: a body that is not a form raises ValueError)."""
    return FormParams(parse_qs(raw.decode(), keep_blank_values=True, strict_parsing=True))


def sign(url: str, raw: bytes, headers: dict[str, str]) -> dict[str, str]:
    try:
        params: Any = form(raw)
    except ValueError:
        params = {}
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params)}


FORM = "application/x-www-form-urlencoded"
TEXT = load("twilio_sms/inbound_text.form")
SM_TEXT = "SMe287d7109a5a925f182f0e07fe5b223b"


def body(text: str, sid: str = "SM11111111111111111111111111111111", **extra: str) -> str:
    fields = {"MessageSid": sid, "From": "+14155550123", "To": "+14155550100", "Body": text}
    fields.update(extra)
    return urlencode(fields)


CASES = [
    Case(
        "plain text (courier's recorded form, blank fields signed)",
        TEXT,
        content_type=FORM,
        inbounds=[
            {
                "adapter": "twilio_sms",
                "address": "tel:+14133881111",
                "external_id": SM_TEXT,
                "text": "nha toi bi ngap, can giup",
                "event": None,
                "media": (),
            }
        ],
    ),
    Case(
        "MMS: media URLs, caption as text",
        load("twilio_sms/inbound_mms.form"),
        content_type=FORM,
        inbounds=[
            {
                "text": "Ảnh nhà bị sập",
                "media": (
                    f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages/"
                    "MMa1b2c3d4e5f60718293a4b5c6d7e8f90/Media/ME0001",
                    f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages/"
                    "MMa1b2c3d4e5f60718293a4b5c6d7e8f90/Media/ME0002",
                ),
            }
        ],
    ),
    Case("STOP", body("STOP"), content_type=FORM, inbounds=[{"event": "stop", "text": "STOP"}]),
    Case(
        "stop. (case, punctuation)", body("stop."), content_type=FORM, inbounds=[{"event": "stop"}]
    ),
    Case("UNSUBSCRIBE", body("Unsubscribe"), content_type=FORM, inbounds=[{"event": "stop"}]),
    Case("STOP PLEASE is text", body("STOP PLEASE"), content_type=FORM, inbounds=[{"event": None}]),
    Case("START", body("START"), content_type=FORM, inbounds=[{"event": "start"}]),
    Case("UNSTOP", body("unstop"), content_type=FORM, inbounds=[{"event": "start"}]),
    Case(
        "status delivered",
        load("twilio_sms/status_delivered.form"),
        content_type=FORM,
        statuses=[
            {
                "external_id": "SM5f6e7d8c9b0a1f2e3d4c5b6a79880011",
                "status": "delivered",
                "stopped": False,
            }
        ],
    ),
    Case(
        "status failed 21610: recipient stopped",
        load("twilio_sms/status_failed_21610.form"),
        content_type=FORM,
        statuses=[
            {"external_id": SM_TEXT, "status": "failed", "error_code": "21610", "stopped": True}
        ],
    ),
    Case(
        "status sending -> queued",
        "MessageSid=SM22222222222222222222222222222222&MessageStatus=sending",
        content_type=FORM,
        statuses=[{"status": "queued"}],
    ),
    Case(
        "status undelivered 30003 -> failed, not stopped",
        "MessageSid=SM2&MessageStatus=undelivered&ErrorCode=30003",
        content_type=FORM,
        statuses=[{"status": "failed", "error_code": "30003", "stopped": False}],
    ),
    Case(
        "unknown status (partially_delivered): 200, ignored",
        "MessageSid=SM3&MessageStatus=partially_delivered",
        content_type=FORM,
    ),
    Case("alphanumeric sender: 200, ignored", body("Your code", From="TWILIO"), content_type=FORM),
    Case("invalid body (JSON): 400", b'{"Body": "hi"}', status=400),
    Case(
        "form without MessageSid: 400", "From=%2B14155550123&Body=hi", content_type=FORM, status=400
    ),
    Case("missing signature: 401", TEXT, content_type=FORM, sign=False, status=401),
    Case(
        "wrong signature: 403",
        TEXT,
        content_type=FORM,
        headers={"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
        status=403,
    ),
    Case(
        "replayed delivery processed once",
        TEXT,
        content_type=FORM,
        repeat=2,
        inbounds=[{"external_id": SM_TEXT}],
    ),
    Case(
        "oversize text cut at Twilio's 1600 characters",
        body("a" * 5000),
        content_type=FORM,
        inbounds=[{"text": "a" * 1600}],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
async def test_webhook_cases(adapter: TwilioSmsAdapter, case: Case) -> None:
    responses, recorder = await run_case(adapter, case, sign)
    check(case, responses, recorder)
    if case.status == 200:
        assert (
            responses[0].text == EMPTY_TWIML == '<?xml version="1.0" encoding="UTF-8"?><Response />'
        )
        assert responses[0].headers["content-type"].startswith("text/xml")
    else:
        assert not recorder.results, "a rejected request reached the sink"


async def test_signature_over_the_public_url_behind_a_proxy(adapter: TwilioSmsAdapter) -> None:
    """Twilio signs https://bot.example.vn/...; the app sees http://10.0.0.5:8000/...
    plus X-Forwarded-Proto / X-Forwarded-Host from the proxy."""
    public = f"{BASE}/webhooks/twilio_sms"

    def sign_public(url: str, raw: bytes, headers: dict[str, str]) -> dict[str, str]:
        return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(public, form(raw))}

    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.example.vn"}
    ok = Case(
        "proxied", TEXT, content_type=FORM, headers=proxied, inbounds=[{"external_id": SM_TEXT}]
    )
    responses, recorder = await run_case(adapter, ok, sign_public, base_url="http://10.0.0.5:8000")
    check(ok, responses, recorder)
    bare = Case("no forwarded headers", TEXT, content_type=FORM, status=403)
    responses, recorder = await run_case(
        adapter, bare, sign_public, base_url="http://10.0.0.5:8000"
    )
    check(bare, responses, recorder)


async def test_dropping_blank_fields_would_break_the_signature(adapter: TwilioSmsAdapter) -> None:
    """The recorded form has ToCity= and ToZip=: they are part of what Twilio signed."""
    url = f"{BASE}/webhooks/twilio_sms"
    without_blanks = {k: v for k, v in parse_qs(TEXT.decode()).items()}
    signature = RequestValidator(TOKEN).compute_signature(url, FormParams(without_blanks))
    request = WebhookRequest("POST", url, {"x-twilio-signature": signature}, TEXT)
    with pytest.raises(Unauthorized) as caught:
        await adapter.verify(request)
    assert caught.value.status == 403


# --- send ---------------------------------------------------------------------------------


def outbound(text: str = "Ba con can gi a?", address: str = "tel:+14155550123") -> Outbound:
    return Outbound("sms", address, text, meta={"segments": 1, "encoding": "gsm7"})


async def test_send_success_posts_to_messages_with_status_callback(
    adapter: TwilioSmsAdapter, fake: FakeTwilioHttp
) -> None:
    fake.reply(201, load("twilio_sms/message_created.json").decode())
    result = await adapter.send(outbound())
    assert result.external_id == "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert result.segments == 2  # Twilio's own count wins over our estimate
    [request] = fake.requests
    assert (request["method"], request["url"]) == ("POST", MESSAGES_URL)
    assert request["data"] == {
        "To": "+14155550123",
        "From": "+14155550100",
        "Body": "Ba con can gi a?",
        "StatusCallback": f"{BASE}/webhooks/twilio_sms",
    }
    assert request["auth"] == (SID, TOKEN)


async def test_send_through_a_messaging_service(fake: FakeTwilioHttp) -> None:
    adapter = TwilioSmsAdapter(
        settings(messaging_service_sid="MG00000000000000000000000000000000"),
        deps(texts, transport=fake),
    )
    fake.reply(201, load("twilio_sms/message_created.json").decode())
    await adapter.send(outbound())
    data = fake.requests[0]["data"]
    assert data["MessagingServiceSid"] == "MG00000000000000000000000000000000"
    assert "From" not in data


@pytest.mark.parametrize(
    ("status", "fixture", "headers", "kind", "code", "retry_after"),
    [
        (429, "error_20429.json", {"Retry-After": "7"}, "throttled", "20429", 7.0),
        (429, "error_20429.json", {}, "throttled", "20429", None),
        (400, "error_21610.json", {}, "stopped", "21610", None),
        (400, "error_21211.json", {}, "permanent", "21211", None),
        (500, "error_20500.json", {}, "retryable", "20500", None),
    ],
    ids=["429 retry-after", "429 bare", "21610 stopped", "21211 invalid To", "500"],
)
async def test_send_errors_map_to_one_vocabulary(
    adapter: TwilioSmsAdapter,
    fake: FakeTwilioHttp,
    status: int,
    fixture: str,
    headers: dict[str, str],
    kind: str,
    code: str,
    retry_after: float | None,
) -> None:
    fake.reply(status, load(f"twilio_sms/{fixture}").decode(), headers)
    with pytest.raises(SendError) as caught:
        await adapter.send(outbound())
    assert (caught.value.kind, caught.value.code, caught.value.retry_after) == (
        kind,
        code,
        retry_after,
    )


async def test_send_rate_limit_code_14107_is_throttled(
    adapter: TwilioSmsAdapter, fake: FakeTwilioHttp
) -> None:
    fake.reply(400, '{"code": 14107, "message": "SMS send rate limit exceeded", "status": 400}')
    with pytest.raises(SendError) as caught:
        await adapter.send(outbound())
    assert caught.value.kind == "throttled"


async def test_send_connect_error_is_retryable(
    adapter: TwilioSmsAdapter, fake: FakeTwilioHttp
) -> None:
    key = aiohttp.client_reqrep.ConnectionKey("api.twilio.com", 443, True, True, None, None, None)
    fake.script.append(aiohttp.ClientConnectorError(key, OSError(111, "Connection refused")))
    with pytest.raises(SendError) as caught:
        await adapter.send(outbound())
    assert (caught.value.kind, caught.value.code) == ("retryable", "network")


@pytest.mark.parametrize(
    "failure",
    [
        aiohttp.ClientConnectionError("connection reset"),  # was "retryable"
        aiohttp.ServerDisconnectedError(),
        TimeoutError(),
    ],
    ids=["reset", "disconnected", "timeout"],
)
async def test_send_failure_after_sending_is_unknown(
    adapter: TwilioSmsAdapter, fake: FakeTwilioHttp, failure: Exception
) -> None:
    fake.script.append(failure)
    with pytest.raises(SendError) as caught:
        await adapter.send(outbound())
    assert (caught.value.kind, caught.value.code) == ("unknown", "network_unknown")


async def test_send_unreadable_created_answer_is_unknown(
    adapter: TwilioSmsAdapter, fake: FakeTwilioHttp
) -> None:
    fake.reply(201, "<html>created</html>")
    with pytest.raises(SendError) as caught:
        await adapter.send(outbound())
    assert (caught.value.kind, caught.value.code) == ("unknown", "twilio_unreadable")


@pytest.mark.parametrize("address", ["telegram:123", "tel:abc"])
async def test_send_to_a_non_phone_address_is_permanent(
    adapter: TwilioSmsAdapter, fake: FakeTwilioHttp, address: str
) -> None:
    with pytest.raises(SendError) as caught:
        await adapter.send(outbound(address=address))
    assert caught.value.kind == "permanent"
    assert not fake.requests


async def test_logs_show_segments_but_no_text_or_secret(
    adapter: TwilioSmsAdapter, fake: FakeTwilioHttp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.reply(201, load("twilio_sms/message_created.json").decode())
    await adapter.send(outbound("Ma OTP cua ban la 482913"))
    fake.reply(400, load("twilio_sms/error_21610.json").decode())
    with pytest.raises(SendError):
        await adapter.send(outbound("Ma OTP cua ban la 482913"))
    logged = caplog.text
    assert "2 segment(s)" in logged and "gsm7" in logged
    assert "482913" not in logged and TOKEN not in logged
    assert "+14155550123" not in logged  # numbers are masked


# --- set_webhook and build ----------------------------------------------------------------


async def test_set_webhook_sets_the_numbers_sms_url(
    adapter: TwilioSmsAdapter, fake: FakeTwilioHttp
) -> None:
    fake.reply(200, load("twilio_sms/incoming_phone_numbers.json").decode())
    fake.reply(200, load("twilio_sms/incoming_phone_number_updated.json").decode())
    url = f"{BASE}/webhooks/twilio_sms"
    assert url in await adapter.set_webhook(url)
    listing, update = fake.requests
    assert listing["method"] == "GET" and listing["params"]["PhoneNumber"] == "+14155550100"
    assert update["url"].endswith("/IncomingPhoneNumbers/PN11111111111111111111111111111111.json")
    assert update["data"] == {"SmsUrl": url, "SmsMethod": "POST"}


async def test_set_webhook_with_a_messaging_service_explains(fake: FakeTwilioHttp) -> None:
    sid = "MG00000000000000000000000000000000"
    adapter = TwilioSmsAdapter(settings(messaging_service_sid=sid), deps(texts, transport=fake))
    assert sid in await adapter.set_webhook(f"{BASE}/webhooks/twilio_sms")
    assert not fake.requests


def test_build_refuses_missing_credentials() -> None:
    with pytest.raises(AdapterConfigError, match="BANBOT_TWILIO__AUTH_TOKEN is not set"):
        TwilioSmsAdapter(
            Settings(env="test", twilio={"enabled": True, "account_sid": SID}),  # type: ignore[arg-type]
            deps(texts),
        )
    with pytest.raises(AdapterConfigError, match="BANBOT_TWILIO__FROM_NUMBER nor"):
        TwilioSmsAdapter(settings(from_number=None), deps(texts))
    assert TwilioSmsAdapter(settings(), deps(texts)).name == "twilio_sms"
