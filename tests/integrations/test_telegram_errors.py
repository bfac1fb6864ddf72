"""integrations.telegram.errors: every aiogram failure of a send -> one kind of our vocabulary."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram.exceptions import (
    ClientDecodeError,
    RestartingTelegram,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage

from integrations.common import MAYBE_SENT as MAYBE
from integrations.common import NOT_SENT
from integrations.telegram.errors import send_error

TOKEN = "42:TEST-token"
METHOD = SendMessage(chat_id=1, text="x")
KEY = aiohttp.client_reqrep.ConnectionKey("api.telegram.org", 443, True, True, None, None, None)


REFUSED = aiohttp.ClientConnectorError(KEY, OSError(111, "Connection refused"))
NO_HOST = aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "Name or service not known"))
GARBLED = ClientDecodeError("Failed to decode object", ValueError("x"), "<html>")


def network(cause: BaseException | None) -> TelegramNetworkError:
    error = TelegramNetworkError(METHOD, f"at https://api.telegram.org/bot{TOKEN}/sendMessage")
    error.__cause__ = cause
    return error


TABLE: list[tuple[str, TelegramAPIError | ClientDecodeError, str, str | None, float | None]] = [
    ("429 flood", TelegramRetryAfter(METHOD, "Too Many Requests", 7), "throttled", "429", 7.0),
    ("403 blocked", TelegramForbiddenError(METHOD, "bot was blocked"), "stopped", "403", None),
    ("400", TelegramBadRequest(METHOD, "chat not found"), "permanent", "TelegramBadRequest", None),
    ("404", TelegramNotFound(METHOD, "Not Found"), "permanent", "TelegramNotFound", None),
    ("413", TelegramEntityTooLarge(METHOD, "big"), "permanent", "TelegramEntityTooLarge", None),
    ("401", TelegramUnauthorizedError(METHOD, ""), "permanent", "TelegramUnauthorizedError", None),
    ("moved", TelegramMigrateToChat(METHOD, "", -100), "permanent", "TelegramMigrateToChat", None),
    ("500", TelegramServerError(METHOD, "Internal"), "retryable", "TelegramServerError", None),
    ("restarting", RestartingTelegram(METHOD, "restart"), "retryable", "RestartingTelegram", None),
    ("409", TelegramConflictError(METHOD, "Conflict"), "retryable", "TelegramConflictError", None),
    ("refused", network(REFUSED), "retryable", NOT_SENT, None),
    ("dns", network(NO_HOST), "retryable", NOT_SENT, None),
    ("connect timeout", network(aiohttp.ConnectionTimeoutError()), "retryable", NOT_SENT, None),
    ("read timeout", network(aiohttp.SocketTimeoutError("read")), "unknown", MAYBE, None),
    ("total timeout", network(TimeoutError()), "unknown", MAYBE, None),
    ("disconnected", network(aiohttp.ServerDisconnectedError()), "unknown", MAYBE, None),
    ("payload cut", network(aiohttp.ClientPayloadError("cut")), "unknown", MAYBE, None),
    ("cause lost", network(None), "unknown", MAYBE, None),
    ("garbled", GARBLED, "unknown", "ClientDecodeError", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "exc", "kind", "code", "retry_after"), TABLE, ids=[row[0] for row in TABLE]
)
def test_send_error(
    label: str,
    exc: TelegramAPIError | ClientDecodeError,
    kind: str,
    code: str | None,
    retry_after: float | None,
) -> None:
    error = send_error(exc, TOKEN)
    assert (error.kind, error.code, error.retry_after) == (kind, code, retry_after)
    assert TOKEN not in str(error)
