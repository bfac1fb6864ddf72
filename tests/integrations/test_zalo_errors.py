"""integrations.zalo.errors: network failures, HTTP answers and Zalo error bodies -> one kind."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.channels.base import SendError
from integrations.common import MAYBE_SENT as MAYBE
from integrations.common import NOT_SENT
from integrations.zalo.errors import TOKEN_REJECTED, check, json_body, send_error

REQUEST = httpx.Request("POST", "https://openapi.zalo.me/v3.0/oa/message/cs")
NOT_INTERACTED = "User has not interacted with the OA in the past 7 days"
WAIT_7 = {"Retry-After": "7"}
Failure = httpx.HTTPError | httpx.Response | dict[str, Any]


def net(cls: type[httpx.TransportError]) -> httpx.HTTPError:
    return cls("failed", request=REQUEST)


def body(error: int, message: str) -> dict[str, Any]:
    return {"error": error, "message": message}


TABLE: list[tuple[str, Failure, str, str | None, float | None]] = [
    ("connect", net(httpx.ConnectError), "retryable", NOT_SENT, None),
    ("connect timeout", net(httpx.ConnectTimeout), "retryable", NOT_SENT, None),
    ("pool timeout", net(httpx.PoolTimeout), "retryable", NOT_SENT, None),
    ("read timeout", net(httpx.ReadTimeout), "unknown", MAYBE, None),
    ("write timeout", net(httpx.WriteTimeout), "unknown", MAYBE, None),
    ("dropped", net(httpx.RemoteProtocolError), "unknown", MAYBE, None),
    ("read error", net(httpx.ReadError), "unknown", MAYBE, None),
    ("bad scheme", net(httpx.UnsupportedProtocol), "permanent", None, None),
    ("429 + header", httpx.Response(429, headers=WAIT_7), "throttled", "http_429", 7.0),
    ("429 bare", httpx.Response(429), "throttled", "http_429", None),  # the sender decides
    ("504", httpx.Response(504), "unknown", "http_504", None),
    ("502", httpx.Response(502), "retryable", None, None),
    ("400", httpx.Response(400), "permanent", "http_error", None),
    ("200 not JSON", httpx.Response(200, text="<html>"), "unknown", "zalo_unreadable", None),
    ("token -216", body(-216, "Access token is invalid"), "permanent", TOKEN_REJECTED, None),
    ("token by text", body(-999, "access_token expired"), "permanent", TOKEN_REJECTED, None),
    ("no interaction -230", body(-230, NOT_INTERACTED), "permanent", "zalo_window_closed", None),
    ("no interaction -232", body(-232, "x"), "permanent", "zalo_window_closed", None),
    ("not following -213", body(-213, "User has not followed OA"), "stopped", "zalo_-213", None),
    ("blocked by text", body(-201, "User blocked the OA"), "stopped", "zalo_-201", None),
    ("quota -211", body(-211, "Out of quota"), "throttled", "zalo_-211", 3600.0),
    ("rate -32", body(-32, "Exceed rate limit"), "throttled", "zalo_-32", None),
    ("other", body(-201, "Parameters invalid"), "permanent", "zalo_-201", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "failure", "kind", "code", "retry_after"), TABLE, ids=[row[0] for row in TABLE]
)
def test_send_error(
    label: str, failure: Failure, kind: str, code: str | None, retry_after: float | None
) -> None:
    error = send_error(failure)
    assert (error.kind, error.code, error.retry_after) == (kind, code, retry_after)


@pytest.mark.parametrize(
    "accepted",
    [{"error": 0, "message": "Success"}, {"error": "0"}, {"data": {"message_id": "m"}}],
)
def test_check_accepts_success(accepted: dict[str, Any]) -> None:
    check(accepted)


def test_check_raises_the_mapped_error() -> None:
    with pytest.raises(SendError) as caught:
        check(body(-213, "User has not followed OA"))
    assert caught.value.kind == "stopped"


def test_json_body_only_from_a_readable_200() -> None:
    assert json_body(httpx.Response(200, json={"error": 0})) == {"error": 0}
    for answer in (httpx.Response(200, json=[1]), httpx.Response(500, json={"error": 0})):
        with pytest.raises(SendError):
            json_body(answer)
