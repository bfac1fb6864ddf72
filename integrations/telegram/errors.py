"""What aiogram raises for a Bot API call -> our send-error vocabulary.

aiogram turns the answer into one exception per HTTP status (``check_response``) and a network
failure into ``TelegramNetworkError`` with the aiohttp error as its ``__cause__``:

===============================================  ===========  =============================
aiogram                                          kind         why
===============================================  ===========  =============================
``TelegramRetryAfter`` (429, flood control)      throttled    ``retry_after`` from Telegram
``TelegramForbiddenError`` (403)                 stopped      blocked by the user, deactivated
``TelegramBadRequest`` / ``NotFound`` /          permanent    400 / 404 / 413 / 401 / the group
``EntityTooLarge`` / ``Unauthorized`` /                       moved: sending again cannot help
``MigrateToChat``
``TelegramServerError`` (5xx)                    retryable    Telegram said it failed
``TelegramNetworkError``, cause connect / DNS    retryable    never left
``TelegramNetworkError``, any other cause        unknown      a timeout or a dropped connection
                                                              after sending (aiogram reports a
                                                              total timeout the same way)
``ClientDecodeError`` (an unreadable answer)     unknown      Telegram answered, so the message
                                                              may be out; aiogram drops the
                                                              HTTP status, so a garbled 200
                                                              cannot be told from a garbled 502
other ``TelegramAPIError`` (409, unexpected)     retryable    as before: the answer said no
===============================================  ===========  =============================

Telegram has no idempotency key for ``sendMessage``, hence ``unknown`` rather than a retry.
The bot token is in every URL aiogram reports, so it is masked in every detail.
"""

from __future__ import annotations

from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from bot.channels.base import SendError
from integrations.common import aiohttp_error

PERMANENT = (
    TelegramBadRequest,
    TelegramEntityTooLarge,  # a TelegramNetworkError subclass: checked before the network
    TelegramNotFound,
    TelegramUnauthorizedError,
    TelegramMigrateToChat,
)


def send_error(exc: TelegramAPIError | ClientDecodeError, token: str) -> SendError:
    """``exc`` in our vocabulary; ``token`` never appears in the detail."""
    detail = str(exc).replace(token, "<token>") if token else str(exc)
    code = type(exc).__name__
    if isinstance(exc, TelegramRetryAfter):
        return SendError("throttled", detail, retry_after=float(exc.retry_after), code="429")
    if isinstance(exc, TelegramForbiddenError):
        return SendError("stopped", detail, code="403")
    if isinstance(exc, PERMANENT):
        return SendError("permanent", detail, code=code)
    if isinstance(exc, TelegramServerError):
        return SendError("retryable", detail, code=code)
    if isinstance(exc, TelegramNetworkError):
        network = aiohttp_error("telegram", exc.__cause__)
        return SendError(network.kind, f"{network.detail}: {detail}", code=network.code)
    if isinstance(exc, ClientDecodeError):
        return SendError("unknown", f"unreadable answer: {detail}", code=code)
    return SendError("retryable", detail, code=code)
