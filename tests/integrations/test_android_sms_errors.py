"""integrations.android_sms.errors: what the gateway client raises or answers -> one kind.

The adapter's sends are idempotent (the gateway refuses a second message with our id), so the
sender may retry ``unknown`` here; the mapping itself still says what happened."""

from __future__ import annotations

import json

import httpx
import pytest
from android_sms_gateway.errors import error_from_status

from integrations.android_sms.errors import send_error, throttling
from integrations.common import MAYBE_SENT as MAYBE
from integrations.common import NOT_SENT

REQUEST = httpx.Request("POST", "https://api.sms-gate.app/3rdparty/v1/messages")


def net(cls: type[httpx.TransportError]) -> httpx.HTTPError:
    return cls("failed", request=REQUEST)


def api(status: int, error: str | None = None, message: str = "") -> Exception:
    body = {"message": message, **({"error": error} if error else {})}
    return error_from_status(f"HTTP {status}", status, body)


NOT_JSON = json.JSONDecodeError("Expecting value", "<html>", 0)
TABLE: list[tuple[str, BaseException, str, str | None]] = [
    ("400", api(400, message="invalid phone number"), "permanent", "400"),
    ("401", api(401, message="unauthorized"), "permanent", "401"),
    ("403", api(403, message="missing scope"), "permanent", "403"),
    ("404", api(404), "permanent", "404"),
    ("500", api(500, message="internal"), "retryable", "500"),
    ("503 other", api(503, message="device offline"), "retryable", "503"),
    ("504", api(504, message="gateway timeout"), "unknown", "504"),
    ("connect", net(httpx.ConnectError), "retryable", NOT_SENT),
    ("connect timeout", net(httpx.ConnectTimeout), "retryable", NOT_SENT),
    ("read timeout", net(httpx.ReadTimeout), "unknown", MAYBE),
    ("dropped", net(httpx.RemoteProtocolError), "unknown", MAYBE),
    ("2xx not JSON", NOT_JSON, "unknown", "gateway_unreadable"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "exc", "kind", "code"), TABLE, ids=[row[0] for row in TABLE])
def test_send_error(label: str, exc: BaseException, kind: str, code: str | None) -> None:
    error = send_error(exc)
    assert (error.kind, error.code) == (kind, code)


THROTTLING: list[tuple[str, int, bytes, str | None, float | None]] = [
    ("429 + header", 429, b"", "30", 30.0),
    ("429 bare", 429, b"", None, None),
    ("503 queue full", 503, b'{"error": "QueueLimitExceeded", "message": "x"}', None, 60.0),
    ("503 queue full + header", 503, b'{"error": "QueueLimitExceeded"}', "5", 5.0),
]


@pytest.mark.parametrize(
    ("label", "status", "body", "header", "retry_after"),
    THROTTLING,
    ids=[row[0] for row in THROTTLING],
)
def test_throttling(
    label: str, status: int, body: bytes, header: str | None, retry_after: float | None
) -> None:
    error = throttling(status, body, header)
    assert error is not None
    assert (error.kind, error.retry_after) == ("throttled", retry_after)
    assert send_error(error) is error  # already mapped: passed through


@pytest.mark.parametrize(
    ("status", "body"), [(503, b'{"message": "device offline"}'), (503, b"<html>"), (500, b"")]
)
def test_other_answers_are_not_throttling(status: int, body: bytes) -> None:
    assert throttling(status, body, "30") is None
