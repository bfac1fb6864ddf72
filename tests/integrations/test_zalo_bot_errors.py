"""integrations.zalo_bot.errors: network failures and Bot API answers -> one kind."""

from __future__ import annotations

import httpx
import pytest

from bot.channels.base import SendError
from integrations.common import MAYBE_SENT as MAYBE
from integrations.common import NOT_SENT
from integrations.zalo_bot.errors import result, send_error

REQUEST = httpx.Request("POST", "https://bot-api.zaloplatforms.com/bot1:x/sendMessage")


def net(cls: type[httpx.TransportError]) -> httpx.HTTPError:
    return cls("failed", request=REQUEST)


def bot(status: int, error_code: int, description: str = "", **params: float) -> httpx.Response:
    reply: dict[str, object] = {"ok": False, "error_code": error_code, "description": description}
    if params:
        reply["parameters"] = params
    return httpx.Response(status, json=reply)


TABLE: list[tuple[str, httpx.HTTPError | httpx.Response, str, str | None, float | None]] = [
    ("connect", net(httpx.ConnectError), "retryable", NOT_SENT, None),
    ("connect timeout", net(httpx.ConnectTimeout), "retryable", NOT_SENT, None),
    ("read timeout", net(httpx.ReadTimeout), "unknown", MAYBE, None),
    ("dropped", net(httpx.RemoteProtocolError), "unknown", MAYBE, None),
    ("429 in body", bot(429, 429, "Too Many", retry_after=5), "throttled", "http_429", 5.0),
    ("429 header", httpx.Response(429, headers={"Retry-After": "3"}), "throttled", "http_429", 3.0),
    ("429 bare", httpx.Response(429), "throttled", "http_429", 1.0),
    ("504", httpx.Response(504, text="gateway timeout"), "unknown", "zalo_bot_504", None),
    ("503", httpx.Response(503, text="unavailable"), "retryable", None, None),
    ("500 in a 200", bot(200, 500, "Internal"), "retryable", None, None),
    ("200 not JSON", httpx.Response(200, text="<html>"), "unknown", "zalo_bot_unreadable", None),
    ("blocked", bot(403, 403, "Forbidden: user blocked the bot"), "stopped", "zalo_bot_403", None),
    ("bad token 401", bot(401, 401), "permanent", "zalo_bot_auth", None),
    ("bad token 404", httpx.Response(404, text="Not Found"), "permanent", "zalo_bot_auth", None),
    ("400 in a 200", bot(200, 400, "chat not found"), "permanent", "zalo_bot_400", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "failure", "kind", "code", "retry_after"), TABLE, ids=[row[0] for row in TABLE]
)
def test_send_error(
    label: str,
    failure: httpx.HTTPError | httpx.Response,
    kind: str,
    code: str | None,
    retry_after: float | None,
) -> None:
    error = send_error(failure)
    assert (error.kind, error.code, error.retry_after) == (kind, code, retry_after)


def test_result_of_an_accepted_call() -> None:
    assert result(httpx.Response(200, json={"ok": True, "result": {"message_id": "m"}})) == {
        "message_id": "m"
    }
    with pytest.raises(SendError):
        result(httpx.Response(200, json={"ok": False, "error_code": 400}))
