"""Zalo Bot Platform answers (and network failures) -> our send-error vocabulary.

The Bot Platform copies Telegram's envelope: ``{"ok": false, "error_code", "description",
"parameters": {"retry_after"}}``, sometimes inside an HTTP 200. ``error_code`` wins over the
HTTP status when both are there.

=================================================  ==========  ============================
failure                                            kind        code
=================================================  ==========  ============================
connect error, DNS, connect / pool timeout         retryable   ``network`` (never left)
read / write timeout, connection dropped           unknown     ``network_unknown``
429                                                throttled   ``http_429``; ``retry_after``
                                                               from the body, the header,
                                                               else 1 s
504 (a gateway gave up waiting)                    unknown     ``zalo_bot_504``
other 5xx                                          retryable   —
HTTP 200 whose body is not a JSON object           unknown     ``zalo_bot_unreadable``
403 (blocked by the user)                          stopped     ``zalo_bot_403``
401 / 404 (bad token: the URL names no bot)        permanent   ``zalo_bot_auth``
anything else                                      permanent   ``zalo_bot_<status>``
=================================================  ==========  ============================

URLs carry the bot token, so no detail here contains one.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.channels.base import SendError
from integrations.common import httpx_error, retry_after_seconds

DEFAULT_RETRY_AFTER = 1.0


def send_error(failure: httpx.HTTPError | httpx.Response) -> SendError:
    """A network failure or a refused answer in our vocabulary."""
    if isinstance(failure, httpx.HTTPError):
        return httpx_error("zalo_bot", failure)
    reply = _json(failure)
    code = reply.get("error_code")
    status = code if isinstance(code, int) and not isinstance(code, bool) else 0
    status = status or failure.status_code
    detail = f"Zalo Bot {status}: {str(reply.get('description') or '')[:200]}"
    if status == 429:
        params = reply.get("parameters")
        after = params.get("retry_after") if isinstance(params, dict) else None
        retry = float(after) if isinstance(after, int | float) and after > 0 else None
        retry = retry or retry_after_seconds(failure.headers.get("retry-after"))
        return SendError(
            "throttled", detail, retry_after=retry or DEFAULT_RETRY_AFTER, code="http_429"
        )
    if status == 504:
        return SendError("unknown", f"{detail} (may have been sent)", code="zalo_bot_504")
    if status >= 500:
        return SendError("retryable", detail)
    if failure.status_code == 200 and not reply:
        detail = "answer is not a JSON object: may have been sent"
        return SendError("unknown", detail, code="zalo_bot_unreadable")
    if status == 403:
        return SendError("stopped", detail, code="zalo_bot_403")
    if status in (401, 404):
        return SendError("permanent", detail, code="zalo_bot_auth")
    return SendError("permanent", detail, code=f"zalo_bot_{status}")


def result(response: httpx.Response) -> Any:
    """The ``result`` of an accepted call; raises :func:`send_error` for anything else."""
    reply = _json(response)
    if response.status_code == 200 and reply.get("ok") is True:
        return reply.get("result")
    raise send_error(response)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        reply = response.json()
    except ValueError:
        return {}
    return reply if isinstance(reply, dict) else {}
