"""The HTTP layer under ``twilio.rest.Client``: aiohttp, and 429 turned into ``throttled``.

Why :class:`twilio.http.async_http_client.AsyncTwilioHttpClient` rather than the sync client in
``asyncio.to_thread``: it is Twilio's own async transport (aiohttp, which aiogram already brings),
keeps one pooled connection set, and costs no thread per send; the sync client would tie up a
worker thread for each in-flight request and block shutdown on slow calls. Its aiohttp session
needs a running loop, so it is created on first use.

``TwilioRestException`` drops the response headers, and with them ``Retry-After``; the wrapper
hands a 429 to :func:`integrations.twilio_sms.errors.throttling` before the exception is built.
"""

from __future__ import annotations

import logging
from typing import Any

from twilio.http import AsyncHttpClient  # type: ignore[import-untyped]
from twilio.http.async_http_client import (  # type: ignore[import-untyped]
    AsyncTwilioHttpClient,
)

from integrations.twilio_sms.errors import throttling

log = logging.getLogger(__name__)
TIMEOUT = 15.0  # seconds; Twilio answers create() in well under a second


class ThrottleAwareHttpClient(AsyncHttpClient):  # type: ignore[misc]
    """Delegates to ``inner`` (any async Twilio HTTP client); a 429 raises ``SendError``
    ``throttled`` with ``Retry-After`` and Twilio's error code (20429, 14107)."""

    def __init__(self, inner: Any | None = None) -> None:
        super().__init__(log, True, TIMEOUT)
        self._inner = inner

    async def request(self, method: str, uri: str, **kwargs: Any) -> Any:
        if self._inner is None:
            self._inner = AsyncTwilioHttpClient(timeout=TIMEOUT)
        if kwargs.get("timeout") is None:
            # the SDK keeps a client's timeout but passes the caller's (None: no timeout at
            # all) to aiohttp; a Twilio that never answers must not hold the sender forever
            kwargs["timeout"] = getattr(self._inner, "timeout", None) or TIMEOUT
        response = await self._inner.request(method, uri, **kwargs)
        throttled = throttling(response.status_code, response.text, response.headers)
        if throttled is not None:
            raise throttled
        return response

    async def close(self) -> None:
        closer = getattr(self._inner, "close", None)
        if closer is not None:
            await closer()
