"""httpx hook for the gateway API: throttling answers become ``SendError("throttled")``.

The PyPI client turns HTTP errors into ``APIError`` and drops the response headers, so
``Retry-After`` would be lost; this response hook reads it first. Throttling is a 429, or the
cloud / private server's 503 ``{"error": "QueueLimitExceeded"}`` (its pending-message queue is
full). Any other 503 is a plain server error and stays retryable.
"""

from __future__ import annotations

import json

import httpx

from bot.channels.base import SendError
from integrations.sms_common.retry import retry_after_seconds

QUEUE_FULL = "QueueLimitExceeded"
QUEUE_FULL_WAIT = 60.0  # seconds; the server gives no Retry-After when its queue is full


async def throttle_hook(response: httpx.Response) -> None:
    """Raise ``SendError`` throttled for 429 and 503 QueueLimitExceeded; else do nothing."""
    if response.status_code not in (429, 503):
        return
    await response.aread()
    retry_after = retry_after_seconds(response.headers.get("retry-after"))
    if response.status_code == 429:
        raise SendError("throttled", "gateway 429", retry_after=retry_after, code="429")
    try:
        error = json.loads(response.content).get("error")
    except (ValueError, AttributeError):
        error = None
    if error == QUEUE_FULL:
        raise SendError(
            "throttled",
            "gateway queue full",
            retry_after=retry_after or QUEUE_FULL_WAIT,
            code=error,
        )
