"""The five real adapters, built from settings that point at the fake providers on localhost,
over real HTTP: accepted and recorded, throttled with the retry-after, 5xx retryable, a read
timeout after the request left ``unknown``, a dropped connection ``unknown``, blocked
recipients ``stopped``; Android's retried send recognised by its id; Zalo OA's token refresh;
Twilio status callbacks and gateway reports verified and parsed by the adapter itself.

Client timeouts: no adapter has a timeout setting (Zalo OA and Zalo Bot use 10 s, Android
20 s, Telegram aiogram's 60 s, Twilio means 15 s), so the timeout cases pass the adapter a
real transport through ``AdapterDeps.transport`` with a 0.3 s timeout: aiogram's own
``AiohttpSession``, an ``httpx.AsyncHTTPTransport`` that sets the request's timeout, and for
Twilio an ``AsyncTwilioHttpClient`` that applies its timeout — the SDK's own class ignores it
(see ``test_twilio_client_timeout_is_applied``). Every other case uses the adapter's own HTTP
stack, built from its settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from twilio.http.async_http_client import AsyncTwilioHttpClient

from bot.channels.base import DeliveryStatus, SendError, SendResult, WebhookRequest
from bot.config import Settings
from bot.domain.messages import Outbound
from bot.ports import ChannelAdapter
from integrations.common import MAYBE_SENT, NOT_SENT
from integrations.registry import build, section_name
from tests.integrations.harness import deps
from tests.support.fake_providers import (
    FAKES,
    FakeZaloOa,
    WebhookSink,
    free_port,
    recipient_of,
    serving,
)

SHORT = 0.3  # the client timeout in the timeout cases; the fake holds the answer for 2 s
TEXT = "Bản Nậm Nhừ: họp dân lúc 7 giờ sáng mai tại nhà văn hoá"


class ShortTimeout(httpx.AsyncHTTPTransport):
    """A real httpx transport whose requests time out after ``seconds`` (the adapters' own
    clients set 10-20 s on every request, so the transport overrides it)."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self._timeout = httpx.Timeout(seconds).as_dict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions["timeout"] = self._timeout
        return await super().handle_async_request(request)


class TimedTwilioHttp(AsyncTwilioHttpClient):  # type: ignore[misc]
    """Twilio's aiohttp client with its ``timeout`` applied to every request."""

    async def request(
        self,
        *args: Any,
        timeout: float | None = None,  # noqa: ASYNC109  the SDK's own signature
        **kwargs: Any,
    ) -> Any:
        return await super().request(*args, timeout=timeout or self.timeout, **kwargs)


@dataclass(frozen=True)
class Rig:
    """One adapter and its fake: where it sends, and what the provider's answers map to."""

    name: str
    address: str
    section: Callable[[Any], dict[str, Any]]
    timed: Callable[[Any, float], object]  # a real transport with that client timeout
    # (how, fake.retry_after) -> (code, retry_after) of the SendError("throttled")
    throttled: dict[tuple[str | int, int | None], tuple[str, float | None]]
    proxy_502: str = "retryable"  # a load balancer's HTML 502 page
    blocked: str | None = "stopped"  # kind for a blocked recipient; None: sent anyway


def _bot_api(code: str) -> dict[tuple[str | int, int | None], tuple[str, float | None]]:
    """Telegram and Zalo Bot: ``parameters.retry_after`` (the fake says 1 s unless told)."""
    return {
        ("limit", 3): (code, 3.0),
        ("limit", None): (code, 1.0),
        (429, 3): (code, 3.0),
        (429, None): (code, 1.0),
    }


RIGS = {
    "telegram": Rig(
        "telegram",
        "telegram:123456789",
        lambda f: {"token": "42:TEST", "webhook_secret": "s3cret", "api_base": f.url},
        lambda f, s: AiohttpSession(api=TelegramAPIServer.from_base(f.url), timeout=s),
        _bot_api("429"),
        proxy_502="unknown",  # aiogram cannot read the page and drops the status (errors.py)
    ),
    "zalo_bot": Rig(
        "zalo_bot",
        "zalobot:6ede9afa66b88fe6d6a9",
        lambda f: {"token": "7:abc", "webhook_secret": "s3cret-long", "api_base": f.url},
        lambda f, s: ShortTimeout(s),
        _bot_api("http_429"),
    ),
    "zalo": Rig(
        "zalo",
        "zalo:2468458835296197922",
        lambda f: {
            "app_id": "1234567890123456789",
            "app_secret": "app-secret",
            "oa_secret_key": "oa-secret",
            "access_token": f.access_token,
            "refresh_token": f.refresh_token,
            "api_base": f.url,
            "oauth_base": f.url,
            "paid_quota": True,  # the reply window is the adapter's, not the provider's
        },
        lambda f, s: ShortTimeout(s),
        {
            # HTTP 200 {"error": -32} names no wait: the sender's backoff decides
            ("limit", 3): ("zalo_-32", None),
            ("limit", None): ("zalo_-32", None),
            (429, 3): ("http_429", 3.0),
            (429, None): ("http_429", None),
        },
    ),
    "twilio_sms": Rig(
        "twilio_sms",
        "tel:+84912345678",
        lambda f: {
            "account_sid": f.account_sid,
            "auth_token": f.auth_token,
            "from_number": "+14155550100",
            "api_base": f.url,
        },
        lambda f, s: TimedTwilioHttp(timeout=s),
        {
            ("limit", 3): ("20429", 3.0),
            ("limit", None): ("20429", None),  # Twilio sends no Retry-After
            (429, 3): ("20429", 3.0),
            (429, None): ("20429", None),
        },
    ),
    "android_sms": Rig(
        "android_sms",
        "tel:+84912345678",
        lambda f: {
            "base_url": f.url,
            "username": f.username,
            "password": f.password,
            "signing_key": f.signing_key,
        },
        lambda f, s: ShortTimeout(s),
        {
            ("limit", 3): ("QueueLimitExceeded", 3.0),  # 503 {"error": "QueueLimitExceeded"}
            ("limit", None): ("QueueLimitExceeded", 60.0),
            (429, 3): ("429", 3.0),
            (429, None): ("429", None),
        },
        blocked=None,  # a phone's SIM cannot be blocked by the recipient
    ),
}


@pytest.fixture(scope="module")
def fakes() -> Iterator[dict[str, Any]]:
    """One running fake per provider for the module; each test resets the one it uses."""
    with serving({name: FAKES[name]() for name in RIGS}) as started:
        yield started


@pytest.fixture(scope="module")
def sink() -> Iterator[WebhookSink]:
    with WebhookSink() as server:
        yield server


@pytest.fixture(params=list(RIGS))
def rig(request: pytest.FixtureRequest) -> Rig:
    return RIGS[request.param]


@contextlib.asynccontextmanager
async def adapter(
    rig: Rig, fake: Any, *, client_timeout: float | None = None, **settings: Any
) -> AsyncIterator[ChannelAdapter]:
    """``rig``'s adapter built from settings pointing at ``fake`` (its own HTTP stack, or a
    real transport with ``client_timeout``)."""
    section = {"enabled": True, **rig.section(fake)}
    config = Settings(env="test", **{section_name(rig.name): section}, **settings)
    transport = rig.timed(fake, client_timeout) if client_timeout is not None else None
    built = build(rig.name, config, deps(transport=transport))
    try:
        yield built
    finally:
        await built.aclose()


def outbound(rig: Rig, text: str = TEXT, outbound_id: str = "out-1") -> Outbound:
    return Outbound(rig.name, rig.address, text, meta={"outbound_id": outbound_id})


async def send_error(rig: Rig, fake: Any, **kw: Any) -> SendError:
    async with adapter(rig, fake, **kw) as built:
        with pytest.raises(SendError) as caught:
            await built.send(outbound(rig))
    return caught.value


async def test_send_is_accepted_and_recorded(rig: Rig, fakes: dict[str, Any]) -> None:
    fake = fakes[rig.name].reset()
    async with adapter(rig, fake) as built:
        result = await built.send(outbound(rig))
    [sent] = fake.snapshot()
    assert (sent.recipient, sent.text) == (recipient_of(rig.address), TEXT)
    assert result.external_id == sent.message_id
    assert (fake.accepted, fake.refused, fake.faulted) == (1, 0, 0)


@pytest.mark.parametrize("retry_after", [3, None])
@pytest.mark.parametrize("how", ["limit", 429])
async def test_throttling_maps_to_throttled_with_the_retry_after(
    rig: Rig, fakes: dict[str, Any], how: str | int, retry_after: int | None
) -> None:
    fake = fakes[rig.name].reset(retry_after=retry_after)
    if how == "limit":
        fake.limit_per_second = 1
        async with adapter(rig, fake) as built:
            await built.send(outbound(rig))
            with pytest.raises(SendError) as caught:
                await built.send(outbound(rig, outbound_id="out-2"))
        error = caught.value
    else:
        fake.fail_next.append(429)
        error = await send_error(rig, fake)
    assert error.kind == "throttled", error
    assert (error.code, error.retry_after) == rig.throttled[(how, retry_after)]
    assert (fake.accepted, fake.refused) == (1 if how == "limit" else 0, 1)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_retryable(rig: Rig, fakes: dict[str, Any], status: int) -> None:
    fake = fakes[rig.name].reset()
    fake.fail_next.append(status)
    error = await send_error(rig, fake)
    assert error.kind == "retryable", error
    assert fake.accepted == 0


@pytest.mark.parametrize("status", [502, 504])
async def test_a_load_balancers_page(rig: Rig, fakes: dict[str, Any], status: int) -> None:
    """502: the provider's front says it failed; 504: it gave up waiting, the message may be
    out. Telegram cannot tell them apart (aiogram drops the status of an unreadable answer)."""
    fake = fakes[rig.name].reset(proxy_pages=True)
    fake.fail_next.append(status)
    error = await send_error(rig, fake)
    assert error.kind == (rig.proxy_502 if status == 502 else "unknown"), error


async def test_read_timeout_after_the_request_left_is_unknown(
    rig: Rig, fakes: dict[str, Any]
) -> None:
    fake = fakes[rig.name].reset(timeout_hold=2.0)
    fake.fail_next.append("timeout")
    started = time.monotonic()
    error = await send_error(rig, fake, client_timeout=SHORT)
    assert time.monotonic() - started < 1.5
    assert (error.kind, error.code) == ("unknown", MAYBE_SENT), error
    assert fake.accepted == 1  # it did arrive: a blind retry would send it twice
    async with adapter(rig, fake) as built:
        assert built.idempotent_sends is (rig.name == "android_sms")


async def test_dropped_connection_is_unknown(rig: Rig, fakes: dict[str, Any]) -> None:
    fake = fakes[rig.name].reset()
    fake.fail_next.append("drop")
    error = await send_error(rig, fake)
    assert (error.kind, error.code) == ("unknown", MAYBE_SENT), error
    assert fake.faulted == 1


class Elsewhere:
    """``fake``'s settings, but a URL where nothing listens (the provider is down)."""

    def __init__(self, fake: Any) -> None:
        self._fake = fake
        self.url = f"http://127.0.0.1:{free_port()}"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fake, name)


async def test_provider_down_is_retryable_never_sent(rig: Rig, fakes: dict[str, Any]) -> None:
    error = await send_error(rig, Elsewhere(fakes[rig.name].reset()))
    assert (error.kind, error.code) == ("retryable", NOT_SENT), error


async def test_random_5xx_under_a_burst(rig: Rig, fakes: dict[str, Any]) -> None:
    fake = fakes[rig.name].reset(fail_rate=0.25, seed=3)
    outcomes: list[str] = []
    async with adapter(rig, fake) as built:
        for n in range(40):
            try:
                await built.send(outbound(rig, f"{TEXT} #{n}", outbound_id=f"out-{n}"))
                outcomes.append("sent")
            except SendError as error:
                outcomes.append(error.kind)
    assert set(outcomes) == {"sent", "retryable"}
    assert (outcomes.count("sent"), outcomes.count("retryable")) == (fake.accepted, fake.faulted)
    assert 4 <= fake.faulted <= 16


async def test_limit_under_concurrent_sends(rig: Rig, fakes: dict[str, Any]) -> None:
    fake = fakes[rig.name].reset(limit_per_second=5)
    async with adapter(rig, fake) as built:
        sends = [built.send(outbound(rig, outbound_id=f"out-{n}")) for n in range(12)]
        results = await asyncio.gather(*sends, return_exceptions=True)
    kinds = [r.kind if isinstance(r, SendError) else "sent" for r in results]
    assert (kinds.count("sent"), kinds.count("throttled")) == (5, 7), results
    assert (fake.accepted, fake.refused) == (5, 7)


async def test_blocked_recipient(rig: Rig, fakes: dict[str, Any]) -> None:
    fake = fakes[rig.name].reset(blocked={recipient_of(rig.address)})
    async with adapter(rig, fake) as built:
        if rig.blocked is None:
            assert isinstance(await built.send(outbound(rig)), SendResult)
            return
        with pytest.raises(SendError) as caught:
            await built.send(outbound(rig))
    assert caught.value.kind == rig.blocked, caught.value


# -- Android: idempotent sends --------------------------------------------------------------


@pytest.mark.parametrize("fault", ["timeout", "drop"])
async def test_android_retry_with_the_same_id_is_sent_once(
    fakes: dict[str, Any], fault: str
) -> None:
    rig = RIGS["android_sms"]
    fake = fakes[rig.name].reset(timeout_hold=2.0)
    fake.fail_next.append(fault)
    async with adapter(rig, fake, client_timeout=SHORT) as built:
        with pytest.raises(SendError) as caught:
            await built.send(outbound(rig, outbound_id="notice-9:contact-4"))
        assert caught.value.kind == "unknown" and built.idempotent_sends
        retried = await built.send(outbound(rig, outbound_id="notice-9:contact-4"))
    assert retried.external_id == "notice-9:contact-4"
    assert [(s.message_id, s.text) for s in fake.snapshot()] == [("notice-9:contact-4", TEXT)]


# -- Zalo OA: tokens and quota ----------------------------------------------------------------


async def test_zalo_oa_refreshes_a_rejected_token_at_the_fake() -> None:
    rig = RIGS["zalo"]
    with FakeZaloOa(app_secret="app-secret") as fake:
        async with adapter(rig, fake) as built:
            await built.send(outbound(rig))
            fake.expire_token()  # Zalo now answers -216 for the token the adapter holds
            await built.send(outbound(rig, "again"))
        assert fake.refreshes == 1
        assert fake.texts() == [TEXT, "again"]


async def test_zalo_oa_spent_quota_is_throttled_for_an_hour(fakes: dict[str, Any]) -> None:
    rig = RIGS["zalo"]
    fake = fakes[rig.name].reset(quota=0)
    error = await send_error(rig, fake)
    assert (error.kind, error.code, error.retry_after) == ("throttled", "zalo_-211", 3600.0)


# -- Zalo Bot: long texts ---------------------------------------------------------------------


async def test_zalo_bot_sends_a_long_text_in_parts_the_fake_accepts(
    fakes: dict[str, Any],
) -> None:
    rig = RIGS["zalo_bot"]
    fake = fakes[rig.name].reset()
    long = " ".join([TEXT] * 80)  # about 4500 characters; the fake refuses a part over 2000
    async with adapter(rig, fake) as built:
        result = await built.send(outbound(rig, long))
    parts = fake.texts()
    assert len(parts) == 3 and all(len(p) <= 2000 for p in parts)
    assert " ".join(parts).split() == long.split()
    assert result.external_id == fake.snapshot()[-1].message_id


# -- what the providers post back -------------------------------------------------------------


async def _posted(sink: WebhookSink, seen: int, count: int) -> list[WebhookRequest]:
    deadline = time.monotonic() + 3
    while len(sink.received()) < seen + count:
        assert time.monotonic() < deadline, "nothing was posted back"
        await asyncio.sleep(0.01)
    return [WebhookRequest(m, url, h, body) for m, url, h, body in sink.received()[seen:]]


async def test_twilio_status_callbacks_verify_and_parse(
    fakes: dict[str, Any], sink: WebhookSink
) -> None:
    rig = RIGS["twilio_sms"]
    fake = fakes[rig.name].reset(callback_statuses=("sent", "delivered"))
    seen = len(sink.received())
    async with adapter(rig, fake, public_url=sink.url) as built:
        result = await built.send(outbound(rig))
        statuses = []
        for request in await _posted(sink, seen, 2):
            assert request.url == f"{sink.url}/webhooks/twilio_sms"
            await built.verify(request)  # X-Twilio-Signature as Twilio computes it
            statuses.extend(built.parse(request).statuses)
    assert result.external_id is not None
    assert statuses == [
        DeliveryStatus(result.external_id, "sent"),
        DeliveryStatus(result.external_id, "delivered"),
    ]


async def test_android_reports_reach_the_webhook_set_through_the_adapter(
    fakes: dict[str, Any], sink: WebhookSink
) -> None:
    rig = RIGS["android_sms"]
    fake = fakes[rig.name].reset()
    seen = len(sink.received())
    async with adapter(rig, fake) as built:
        await built.set_webhook(f"{sink.url}/webhooks/android_sms")  # type: ignore[attr-defined]
        assert sorted(h["event"] for h in fake.webhooks.values()) == [
            "sms:delivered",
            "sms:failed",
            "sms:received",
        ]
        await built.send(outbound(rig, outbound_id="notice-9:contact-5"))
        [request] = await _posted(sink, seen, 1)  # sms:sent is not registered, so not posted
        await built.verify(request)  # X-Signature over body + X-Timestamp
        statuses = built.parse(request).statuses
    assert statuses == [DeliveryStatus("notice-9:contact-5", "delivered")]


# -- found against the fakes: the SDK dropped its timeout ----------------------------------


async def test_twilio_client_timeout_is_applied(fakes: dict[str, Any]) -> None:
    """The adapter's own transport class, with a 0.3 s timeout in place of its 15 s, against
    a Twilio that answers (201) after 1.2 s: the send should fail ``unknown`` at 0.3 s."""
    rig = RIGS["twilio_sms"]
    fake = fakes[rig.name].reset(timeout_hold=1.2)
    fake.fail_next.append("timeout")
    section = {"enabled": True, **rig.section(fake)}
    config = Settings(env="test", twilio=section)  # type: ignore[arg-type]
    built = build(rig.name, config, deps(transport=AsyncTwilioHttpClient(timeout=SHORT)))
    try:
        with pytest.raises(SendError) as caught:
            await asyncio.wait_for(built.send(outbound(rig)), 5)
        assert caught.value.kind == "unknown"
    finally:
        await built.aclose()
