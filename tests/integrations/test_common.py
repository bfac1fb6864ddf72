"""integrations.common: the helpers every adapter shares."""

from __future__ import annotations

import logging

import aiohttp
import httpx
import pytest

from bot.channels.base import SendError, SendResult
from bot.domain.messages import Outbound
from bot.render import NUMBERED_HINT
from integrations.common import (
    aiohttp_error,
    httpx_error,
    log_send_failure,
    logs_failures,
    numbered_hint,
    plain,
    transport_of,
)

REQUEST = httpx.Request("POST", "https://provider.example/send")
KEY = aiohttp.client_reqrep.ConnectionKey("provider.example", 443, True, True, None, None, None)


def test_numbered_hint_from_the_catalogue_with_a_fallback() -> None:
    assert numbered_hint(lambda key, lang: f"{key}/{lang}", "en") == "sms.numbered_hint/en"

    def missing(key: str, lang: str) -> str:
        raise KeyError(key)

    assert numbered_hint(missing, "en") == NUMBERED_HINT["en"]
    assert numbered_hint(lambda key, lang: "", "vi") == NUMBERED_HINT["vi"]
    assert numbered_hint(missing, "fr") == NUMBERED_HINT["vi"]


def test_failure_log_masks_the_address_and_never_shows_the_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    message = Outbound("zalo", "zalo:2468458835296197922", "Mã hồ sơ 482913", meta={"segments": 2})
    log_send_failure(message, SendError("stopped", "x", code="zalo_-213"))
    assert caplog.messages == [
        "zalo send to zalo:24684***********922 failed: stopped (code zalo_-213, 2 segment(s))"
    ]


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ConnectError("dns", request=REQUEST), "retryable"),
        (httpx.ConnectTimeout("slow", request=REQUEST), "retryable"),
        (httpx.PoolTimeout("busy", request=REQUEST), "retryable"),
        (httpx.ProxyError("proxy down", request=REQUEST), "retryable"),
        (httpx.ReadTimeout("no answer", request=REQUEST), "unknown"),
        (httpx.WriteTimeout("stuck", request=REQUEST), "unknown"),
        (httpx.WriteError("broken pipe", request=REQUEST), "unknown"),
        (httpx.ReadError("reset", request=REQUEST), "unknown"),
        (httpx.RemoteProtocolError("disconnected", request=REQUEST), "unknown"),
        (httpx.DecodingError("bad gzip", request=REQUEST), "unknown"),
        (httpx.UnsupportedProtocol("ftp://", request=REQUEST), "permanent"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else v,
)
def test_httpx_failures(exc: httpx.HTTPError, kind: str) -> None:
    assert httpx_error("p", exc).kind == kind


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (aiohttp.ClientConnectorError(KEY, OSError(111, "refused")), "retryable"),
        (aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "unknown host")), "retryable"),
        (aiohttp.ConnectionTimeoutError("connect"), "retryable"),
        (aiohttp.SocketTimeoutError("read"), "unknown"),
        (aiohttp.ServerDisconnectedError(), "unknown"),
        (aiohttp.ClientOSError(104, "reset"), "unknown"),
        (TimeoutError(), "unknown"),
        (ConnectionResetError(104, "reset"), "unknown"),
        (None, "unknown"),
        (aiohttp.InvalidURL("x"), "permanent"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception | None) else v,
)
def test_aiohttp_failures(exc: BaseException | None, kind: str) -> None:
    assert aiohttp_error("p", exc).kind == kind


async def test_logs_failures_logs_each_failed_send_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Adapter:
        @logs_failures
        async def send(self, message: Outbound) -> SendResult:
            if message.text == "ok":
                return SendResult("e1")
            raise SendError("retryable", "502")

    caplog.set_level(logging.WARNING)
    adapter = Adapter()
    assert (await adapter.send(Outbound("t", "telegram:123456789", "ok"))).external_id == "e1"
    with pytest.raises(SendError):
        await adapter.send(Outbound("t", "telegram:123456789", "no"))
    assert caplog.messages == [
        "t send to telegram:12345*789 failed: retryable (code None, None segment(s))"
    ]


def test_plain_strips_and_reveals() -> None:
    from pydantic import SecretStr

    assert plain(SecretStr("  s3cret ")) == "s3cret"
    assert plain(None) == "" and plain(" x ") == "x"


def test_transport_of() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200))
    assert transport_of("zalo", transport, httpx.AsyncBaseTransport) is transport
    assert transport_of("zalo", None, httpx.AsyncBaseTransport) is None
    with pytest.raises(TypeError, match="zalo: transport must be AsyncBaseTransport, not str"):
        transport_of("zalo", "http://x", httpx.AsyncBaseTransport)
