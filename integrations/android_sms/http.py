"""httpx hook for the gateway API: throttling answers become ``SendError("throttled")``.

The PyPI client turns HTTP errors into ``APIError`` and drops the response headers, so
``Retry-After`` would be lost; this response hook hands the answer to
:func:`integrations.android_sms.errors.throttling` first (a 429, or the cloud / private
server's 503 ``{"error": "QueueLimitExceeded"}``).
"""

from __future__ import annotations

import httpx

from integrations.android_sms.errors import throttling


async def throttle_hook(response: httpx.Response) -> None:
    """Raise ``SendError`` throttled for 429 and 503 QueueLimitExceeded; else do nothing."""
    if response.status_code not in (429, 503):
        return
    await response.aread()
    throttled = throttling(
        response.status_code, response.content, response.headers.get("retry-after")
    )
    if throttled is not None:
        raise throttled
