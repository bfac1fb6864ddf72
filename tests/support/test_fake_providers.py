"""The fake providers themselves, spoken to with plain httpx: each one's success and throttle
answers, the sliding one-second limit, every kind of injected fault, the seeded random 5xx,
the counters, and what they post back (signed callbacks and reports)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.support.fake_providers import (
    FakeAndroidGateway,
    FakeProvider,
    FakeTelegram,
    FakeTwilio,
    FakeZaloBot,
    FakeZaloOa,
    WebhookSink,
    recipient_of,
    serving,
)


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@dataclass(frozen=True)
class Speaker:
    """How to send one message to a fake the way its provider's clients do, and what its
    success and throttle answers look like."""

    name: str
    fake: type[FakeProvider]
    to: str
    post: Callable[[Any, httpx.Client, str, str], httpx.Response]
    ok: Callable[[httpx.Response], bool]
    throttled: Callable[[httpx.Response], bool]


def _bot_api_form(fake: Any, client: httpx.Client, to: str, text: str) -> httpx.Response:
    return client.post(f"{fake.url}/bot42:T/sendMessage", data={"chat_id": to, "text": text})


def _bot_api_json(fake: Any, client: httpx.Client, to: str, text: str) -> httpx.Response:
    return client.post(f"{fake.url}/bot7:x/sendMessage", json={"chat_id": to, "text": text})


def _zalo_oa(
    fake: Any, client: httpx.Client, to: str, text: str, token: str | None = None
) -> httpx.Response:
    body = {"recipient": {"user_id": to}, "message": {"text": text}}
    url = f"{fake.url}/v3.0/oa/message/cs"
    return client.post(url, json=body, headers={"access_token": token or fake.access_token})


def _twilio(fake: Any, client: httpx.Client, to: str, text: str) -> httpx.Response:
    url = f"{fake.url}/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
    form = {"To": to, "From": "+14155550100", "Body": text}
    return client.post(url, data=form, headers=_basic(fake.account_sid, fake.auth_token))


def _android(fake: Any, client: httpx.Client, to: str, text: str, **extra: Any) -> httpx.Response:
    body = {"phoneNumbers": [to], "textMessage": {"text": text}, **extra}
    return client.post(f"{fake.url}/messages", json=body, headers=_basic("sms", fake.password))


def _bot_api_429(r: httpx.Response) -> bool:
    body = r.json()
    return r.status_code == 429 and body["ok"] is False and body["parameters"]["retry_after"] >= 1


SPEAKERS = {
    "telegram": Speaker(
        "telegram",
        FakeTelegram,
        "123",
        _bot_api_form,
        lambda r: r.json()["ok"] is True,
        _bot_api_429,
    ),
    "zalo_bot": Speaker(
        "zalo_bot",
        FakeZaloBot,
        "abc",
        _bot_api_json,
        lambda r: r.json()["ok"] is True,
        _bot_api_429,
    ),
    "zalo_oa": Speaker(
        "zalo_oa",
        FakeZaloOa,
        "555",
        _zalo_oa,
        lambda r: r.status_code == 200 and r.json()["error"] == 0,
        lambda r: r.status_code == 200 and r.json()["error"] == -32,
    ),
    "twilio": Speaker(
        "twilio",
        FakeTwilio,
        "+84912345678",
        _twilio,
        lambda r: r.status_code == 201 and r.json()["status"] == "queued",
        lambda r: r.status_code == 429 and r.json()["code"] == 20429,
    ),
    "android": Speaker(
        "android",
        FakeAndroidGateway,
        "+84912345678",
        _android,
        lambda r: r.status_code == 202 and r.json()["state"] == "Pending",
        lambda r: r.status_code == 503 and r.json()["error"] == "QueueLimitExceeded",
    ),
}


@pytest.fixture(params=list(SPEAKERS))
def speaker(request: pytest.FixtureRequest) -> Speaker:
    return SPEAKERS[request.param]


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c


@pytest.fixture(scope="module")
def fakes() -> Iterator[dict[str, Any]]:
    """One running fake per provider for the module; each test resets the one it uses."""
    with serving({name: speaker.fake() for name, speaker in SPEAKERS.items()}) as started:
        yield started


def test_accepts_and_records_recipient_text_and_time(
    speaker: Speaker, fakes: dict[str, Any], client: httpx.Client
) -> None:
    fake = fakes[speaker.name].reset()
    before = time.monotonic()
    answer = speaker.post(fake, client, speaker.to, "Họp bản 7 giờ")
    assert speaker.ok(answer), answer.text
    [sent] = fake.snapshot()
    assert (sent.recipient, sent.text) == (speaker.to, "Họp bản 7 giờ")
    assert before <= sent.at <= time.monotonic()
    assert sent.message_id and sent.message_id in answer.text
    assert (fake.accepted, fake.refused, fake.faulted) == (1, 0, 0)


def test_limit_answers_with_the_providers_throttle(
    speaker: Speaker, fakes: dict[str, Any], client: httpx.Client
) -> None:
    fake = fakes[speaker.name].reset(limit_per_second=3)
    answers = [speaker.post(fake, client, speaker.to, f"m{i}") for i in range(5)]
    assert [speaker.ok(a) for a in answers] == [True, True, True, False, False]
    assert all(speaker.throttled(a) for a in answers[3:]), answers[3].text
    assert (fake.accepted, fake.refused) == (3, 2)


def test_limit_is_a_sliding_one_second_window(fakes: dict[str, Any], client: httpx.Client) -> None:
    fake = fakes["telegram"].reset(limit_per_second=2)
    ok = [_bot_api_form(fake, client, "1", "a").status_code for _ in range(3)]
    assert ok == [200, 200, 429]
    first, second = (c.at for c in fake.snapshot())
    time.sleep(max(0.0, first + 1.01 - time.monotonic()))  # only the first left the window
    assert _bot_api_form(fake, client, "1", "b").status_code == 200
    if time.monotonic() < second + 0.99:  # the second is still in it
        assert _bot_api_form(fake, client, "1", "c").status_code == 429
    stamps = [c.at for c in fake.snapshot()]
    assert all(later - earlier >= 1.0 for earlier, later in zip(stamps, stamps[2:], strict=False))


def test_fail_next_status_throttle_and_order(
    speaker: Speaker, fakes: dict[str, Any], client: httpx.Client
) -> None:
    fake = fakes[speaker.name].reset()
    fake.fail_next.extend([500, "throttle", 503])
    answers = [speaker.post(fake, client, speaker.to, "x") for _ in range(4)]
    assert answers[0].status_code == 500
    assert speaker.throttled(answers[1])
    assert answers[2].status_code == 503
    assert speaker.ok(answers[3])
    assert (fake.accepted, fake.refused, fake.faulted) == (1, 1, 2)


def test_timeout_records_the_message_and_holds_the_answer(
    speaker: Speaker, fakes: dict[str, Any]
) -> None:
    fake = fakes[speaker.name].reset(timeout_hold=5.0)
    fake.fail_next.append("timeout")
    with httpx.Client(timeout=0.3) as short, pytest.raises(httpx.ReadTimeout):
        speaker.post(fake, short, speaker.to, "late")
    assert fake.texts() == ["late"]  # it arrived: the client cannot know
    assert (fake.accepted, fake.faulted) == (1, 1)


def test_timeout_answers_after_the_hold(fakes: dict[str, Any], client: httpx.Client) -> None:
    fake = fakes["telegram"].reset(timeout_hold=0.4)
    fake.fail_next.append("timeout")
    started = time.monotonic()
    assert _bot_api_form(fake, client, "1", "slow").json()["ok"] is True
    assert time.monotonic() - started >= 0.4


def test_stop_ends_a_held_answer() -> None:
    fake = FakeTelegram().start()  # holds for 65 s by default
    fake.fail_next.append("timeout")
    outcome: list[object] = []

    def call() -> None:
        with httpx.Client(timeout=10) as patient:
            try:
                outcome.append(_bot_api_form(fake, patient, "1", "x").status_code)
            except httpx.HTTPError as exc:
                outcome.append(type(exc).__name__)

    caller = threading.Thread(target=call)
    caller.start()
    _wait_for(lambda: fake.accepted == 1)
    started = time.monotonic()
    fake.stop()
    caller.join(5)
    assert time.monotonic() - started < 2
    assert outcome  # answered or cut, but not left hanging


def test_drop_closes_the_connection_and_records_nothing(
    speaker: Speaker, fakes: dict[str, Any], client: httpx.Client
) -> None:
    fake = fakes[speaker.name].reset()
    fake.fail_next.append("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        speaker.post(fake, client, speaker.to, "lost")
    assert speaker.ok(speaker.post(fake, client, speaker.to, "next"))
    assert fake.texts() == ["next"]
    assert (fake.accepted, fake.faulted) == (1, 1)


def test_fail_rate_is_seeded_and_about_the_fraction(
    fakes: dict[str, Any], client: httpx.Client
) -> None:
    def run() -> list[int]:
        fake = fakes["telegram"].reset(fail_rate=0.25, seed=7)
        codes = [_bot_api_form(fake, client, "1", "x").status_code for _ in range(80)]
        assert fake.faulted == sum(c != 200 for c in codes)
        assert fake.accepted == codes.count(200)
        return codes

    first = run()
    assert run() == first  # same seed, same faults
    replay = random.Random(7)
    expected = [replay.choice((500, 502, 503)) if replay.random() < 0.25 else 200 for _ in first]
    assert first == expected
    assert 10 <= sum(c != 200 for c in first) <= 30


def test_delay_holds_each_accepted_message(fakes: dict[str, Any], client: httpx.Client) -> None:
    fake = fakes["zalo_bot"].reset(delay=0.2)
    started = time.monotonic()
    assert _bot_api_json(fake, client, "a", "x").json()["ok"] is True
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize("status", [502, 503, 504])
def test_proxy_pages_are_html(status: int, fakes: dict[str, Any], client: httpx.Client) -> None:
    fake = fakes["twilio"].reset(proxy_pages=True)
    fake.fail_next.append(status)
    answer = _twilio(fake, client, "+84912345678", "x")
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert "nginx" in answer.text


BLOCKED: dict[str, Callable[[httpx.Response], bool]] = {
    "telegram": lambda r: r.status_code == 403 and "blocked" in r.json()["description"],
    "zalo_bot": lambda r: r.status_code == 403,
    "zalo_oa": lambda r: r.json()["error"] == -213,
    "twilio": lambda r: r.status_code == 400 and r.json()["code"] == 21610,
}


@pytest.mark.parametrize("name", list(BLOCKED))
def test_blocked_recipients(name: str, fakes: dict[str, Any], client: httpx.Client) -> None:
    speaker = SPEAKERS[name]
    fake = fakes[name].reset(blocked={speaker.to})
    assert BLOCKED[name](speaker.post(fake, client, speaker.to, "x"))
    assert fake.accepted == 0


def test_throttle_answers_carry_retry_after(fakes: dict[str, Any], client: httpx.Client) -> None:
    telegram = fakes["telegram"].reset(retry_after=7, fail_next=deque(["throttle"]))
    twilio = fakes["twilio"].reset(retry_after=4, fail_next=deque(["throttle"]))
    android = fakes["android"].reset(retry_after=2, throttle_status=429)
    android.fail_next.append("throttle")
    body = _bot_api_form(telegram, client, "1", "x").json()
    assert body["parameters"]["retry_after"] == 7
    assert body["description"] == "Too Many Requests: retry after 7"
    assert _twilio(twilio, client, "+84912345678", "x").headers["retry-after"] == "4"
    answer = _android(android, client, "+84912345678", "x")
    assert (answer.status_code, answer.headers["retry-after"]) == (429, "2")


def test_reset_refuses_an_unknown_knob(fakes: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="limit_per_minute"):
        fakes["telegram"].reset(limit_per_minute=3)


def test_bot_api_text_limits_and_token(fakes: dict[str, Any], client: httpx.Client) -> None:
    telegram = fakes["telegram"].reset()
    zalo_bot = fakes["zalo_bot"].reset(token="7:y")
    assert _bot_api_form(telegram, client, "1", "x" * 4097).status_code == 400
    assert _bot_api_form(telegram, client, "1", "x" * 4096).json()["ok"] is True
    assert _bot_api_json(zalo_bot, client, "a", "x").status_code == 401  # bot7:x
    url = f"{zalo_bot.url}/bot7:y/sendMessage"
    assert client.post(url, json={"chat_id": "a", "text": "x" * 2001}).status_code == 400
    assert client.post(url, json={"chat_id": "a", "text": "x" * 2000}).json()["ok"] is True
    assert client.post(f"{telegram.url}/bot42:T/getMe").json()["result"]["is_bot"] is True


def test_zalo_oa_tokens_rotate_once(fakes: dict[str, Any], client: httpx.Client) -> None:
    fake = fakes["zalo_oa"].reset(quota=2, app_secret="app-secret")
    assert _zalo_oa(fake, client, "1", "a").json()["error"] == 0
    fake.expire_token()
    assert _zalo_oa(fake, client, "1", "b", "fake-oa-access").json()["error"] == -216
    form = {"refresh_token": "fake-oa-refresh", "app_id": "1", "grant_type": "refresh_token"}
    refresh = f"{fake.url}/v4/oa/access_token"
    grant = client.post(refresh, data=form, headers={"secret_key": "app-secret"}).json()
    assert grant["access_token"] == fake.access_token != "fake-oa-access"
    again = client.post(refresh, data=form, headers={"secret_key": "app-secret"}).json()
    assert "access_token" not in again and again["error"] < 0  # single use
    assert _zalo_oa(fake, client, "1", "c").json()["error"] == 0
    assert _zalo_oa(fake, client, "1", "d").json()["error"] == -211  # quota of 2 spent
    assert (fake.refreshes, fake.accepted) == (1, 2)


def test_twilio_checks_auth_and_body(fakes: dict[str, Any], client: httpx.Client) -> None:
    fake = fakes["twilio"].reset()
    url = f"{fake.url}/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
    wrong = client.post(url, data={"To": "+1", "Body": "x"}, headers=_basic("AC1", "no"))
    assert (wrong.status_code, wrong.json()["code"]) == (401, 20003)
    long = _twilio(fake, client, "+84912345678", "x" * 1601)
    assert long.json()["code"] == 21617
    service = client.post(
        url,
        data={"To": "+84912345678", "MessagingServiceSid": "MG1", "Body": "Chào"},
        headers=_basic(fake.account_sid, fake.auth_token),
    ).json()
    assert (service["status"], service["num_segments"]) == ("accepted", "1")


def _wait_for(check: Callable[[], bool], seconds: float = 3) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def sink() -> Iterator[WebhookSink]:
    with WebhookSink() as server:
        yield server


def test_twilio_posts_signed_status_callbacks(
    fakes: dict[str, Any], sink: WebhookSink, client: httpx.Client
) -> None:
    fake = fakes["twilio"].reset(callback_statuses=("sent", "delivered"))
    seen = len(sink.received())
    url = f"{fake.url}/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
    callback = f"{sink.url}/status"
    form = {"To": "+84912345678", "From": "+1415", "Body": "x", "StatusCallback": callback}
    sid = client.post(url, data=form, headers=_basic(fake.account_sid, fake.auth_token))
    _wait_for(lambda: len(fake.delivered()) == 2)
    validator = RequestValidator(fake.auth_token)
    statuses = []
    for _method, called, headers, body in sink.received()[seen:]:
        params = dict(httpx.QueryParams(body.decode()))
        assert validator.validate(called, params, headers["x-twilio-signature"])
        assert params["MessageSid"] == sid.json()["sid"]
        statuses.append(params["MessageStatus"])
    assert statuses == ["sent", "delivered"]
    assert [d.status for d in fake.delivered()] == [200, 200]


def test_android_dedupes_ids_and_reports_to_registered_webhooks(
    fakes: dict[str, Any], sink: WebhookSink, client: httpx.Client
) -> None:
    fake = fakes["android"].reset(signing_key="k3y")
    seen = len(sink.received())
    auth = _basic("sms", fake.password)
    hook = {"id": "h1", "url": f"{sink.url}/sms", "event": "sms:delivered"}
    assert client.post(f"{fake.url}/webhooks", json=hook, headers=auth).status_code == 201
    assert client.get(f"{fake.url}/webhooks", headers=auth).json() == [hook]
    first = _android(fake, client, "+84912345678", "x", id="out-1")
    assert (first.status_code, first.json()["id"]) == (202, "out-1")
    assert _android(fake, client, "+84912345678", "x", id="out-1").status_code == 409
    _wait_for(lambda: len(fake.delivered()) == 1)
    [(_m, _url, headers, body)] = sink.received()[seen:]
    signed = body + headers["x-timestamp"].encode()
    assert headers["x-signature"] == hmac.new(b"k3y", signed, hashlib.sha256).hexdigest()
    envelope = json.loads(body)
    assert (envelope["event"], envelope["webhookId"]) == ("sms:delivered", "h1")
    assert envelope["payload"]["messageId"] == "out-1"
    assert fake.accepted == 1
    assert client.delete(f"{fake.url}/webhooks/h1", headers=auth).status_code == 204


def test_android_queue_full_and_auth(fakes: dict[str, Any], client: httpx.Client) -> None:
    fake = fakes["android"].reset(limit_per_second=1)
    assert _android(fake, client, "+84912345678", "a").status_code == 202
    full = _android(fake, client, "+84912345678", "b")
    assert full.status_code == 503 and "retry-after" not in full.headers  # the server gives none
    wrong = client.post(f"{fake.url}/messages", json={}, headers=_basic("sms", "nope"))
    assert wrong.status_code == 401


def test_recipients_compare_across_fakes() -> None:
    assert recipient_of("telegram:123") == "123"
    assert recipient_of("zalo:555") == recipient_of("zalobot:555") == "555"
    assert recipient_of("tel:+84912345678") == "+84912345678"


def test_fake_telegram_keeps_its_first_shape(fakes: dict[str, Any], client: httpx.Client) -> None:
    fake = fakes["telegram"].reset(delay=0.0, limit_per_second=None)
    _bot_api_form(fake, client, "-100", "hi")
    [call] = fake.calls
    assert (call.chat_id, call.text) == ("-100", "hi")
    assert fake.texts() == ["hi"] and fake.refused == 0
