"""integrations.twilio_sms.errors: what the Twilio SDK raises or answers -> one kind."""

from __future__ import annotations

import json

import aiohttp
import pytest
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from integrations.common import MAYBE_SENT as MAYBE
from integrations.common import NOT_SENT
from integrations.twilio_sms.errors import send_error, throttling

URI = "/2010-04-01/Accounts/AC0/Messages.json"
KEY = aiohttp.client_reqrep.ConnectionKey("api.twilio.com", 443, True, True, None, None, None)


def rest(status: int, code: int | None, msg: str = "") -> TwilioRestException:
    return TwilioRestException(status, URI, msg, code, "POST")


NOT_JSON = json.JSONDecodeError("Expecting value", "<html>", 0)
RFC_9457 = TwilioServiceException("about:blank", "Bad", 400, 21211)
TABLE: list[tuple[str, BaseException, str, str | None]] = [
    ("21610 stopped", rest(400, 21610, "unsubscribed recipient"), "stopped", "21610"),
    ("20429", rest(429, 20429, "Too Many Requests"), "throttled", "20429"),
    ("14107 rate", rest(400, 14107, "SMS send rate limit exceeded"), "throttled", "14107"),
    ("21211 bad number", rest(400, 21211, "Invalid 'To' Phone Number"), "permanent", "21211"),
    ("401 auth", rest(401, 20003, "Authenticate"), "permanent", "20003"),
    ("500", rest(500, 20500, "Internal Server Error"), "retryable", "20500"),
    ("504", rest(504, 504, "Gateway Timeout"), "unknown", "504"),
    ("RFC 9457 error", RFC_9457, "permanent", "21211"),
    ("refused", aiohttp.ClientConnectorError(KEY, OSError(111, "refused")), "retryable", NOT_SENT),
    ("connect timeout", aiohttp.ConnectionTimeoutError("connect"), "retryable", NOT_SENT),
    ("reset", aiohttp.ClientConnectionError("connection reset"), "unknown", MAYBE),
    ("disconnected", aiohttp.ServerDisconnectedError(), "unknown", MAYBE),
    ("read timeout", aiohttp.SocketTimeoutError("read"), "unknown", MAYBE),
    ("timeout", TimeoutError(), "unknown", MAYBE),
    ("os error", ConnectionResetError(104, "reset"), "unknown", MAYBE),
    ("bad URL", aiohttp.InvalidURL("nope://"), "permanent", None),
    ("2xx not JSON", NOT_JSON, "unknown", "twilio_unreadable"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "exc", "kind", "code"), TABLE, ids=[row[0] for row in TABLE])
def test_send_error(label: str, exc: BaseException, kind: str, code: str | None) -> None:
    error = send_error(exc)
    assert (error.kind, error.code) == (kind, code)


def test_429_is_throttled_with_retry_after_before_the_sdk_drops_headers() -> None:
    error = throttling(429, '{"code": 20429, "message": "Too Many Requests"}', {"Retry-After": "7"})
    assert error is not None
    assert (error.kind, error.code, error.retry_after) == ("throttled", "20429", 7.0)
    assert send_error(error) is error  # already mapped: passed through
    bare = throttling(429, "", None)
    assert bare is not None and (bare.code, bare.retry_after) == ("429", None)
    assert throttling(400, '{"code": 21211}', {}) is None
