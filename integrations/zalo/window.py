"""The OA reply window: 8 free replies within 48 hours of the resident's last message.

Zalo's OA help centre: after a user writes, the OA may send **8 reply messages within 48 h**;
every new user message resets both the clock and the count; anything beyond is a "proactive"
message that needs a verified OA and paid quota. Policy has changed several times, so the
numbers are constructor arguments (``free_replies=None`` turns the check off) and Zalo's own
errors are mapped too.

State per resident in ``ChannelState`` under ``zalo:window:<user id>``:
``{"since": <ms of the last user message>, "msg_id": <its id>, "sent": <replies used>}``.

Why the window is opened from ``verify`` and not ``parse``: ``parse`` is synchronous and the
state is async, and the send path alone cannot see inbound messages. ``verify`` is the one async
hook that sees every authentic delivery, and it runs before the route answers, so the window
is open before the pipeline can reply. Opening is idempotent (a replayed delivery has the same
``msg_id`` and no newer timestamp) and uses Zalo's event time, so retries hours later never
reopen an old window. A reply *reserves* a slot before the API call (compare-and-set, so two
concurrent sends cannot both take the 8th) and gives it back if the call fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.channels.base import SendError
from bot.ports import ChannelState

WINDOW_SECONDS = 48 * 3600
FREE_REPLIES = 8
CLOSED = "zalo_window_closed"


def window_key(user_id: str) -> str:
    return f"zalo:window:{user_id}"


class ReplyWindow:
    """Counts replies per resident; raises ``SendError("permanent", code=CLOSED)`` when shut."""

    def __init__(
        self,
        state: ChannelState,
        clock: Callable[[], float],
        *,
        window_seconds: int = WINDOW_SECONDS,
        free_replies: int | None = FREE_REPLIES,
    ) -> None:
        self._state = state
        self._clock = clock
        self._window_ms = window_seconds * 1000
        self._free = free_replies

    async def user_wrote(self, user_id: str, at_ms: int | None, msg_id: str) -> None:
        """A message from the resident: reset clock and count (idempotent for replays)."""
        at = at_ms if at_ms is not None else int(self._clock() * 1000)
        key = window_key(user_id)
        while True:
            found = await self._state.get(key)
            current, version = found if found else ({}, None)
            if current and (current.get("msg_id") == msg_id or at < int(current["since"])):
                return  # a replay, or an older message delivered late
            new = {"since": at, "msg_id": msg_id, "sent": 0}
            if await self._state.put(key, new, expected_version=version):
                return

    async def reserve(self, user_id: str) -> int | None:
        """Take one reply slot; returns the window's ``since`` (for :meth:`release`)."""
        if self._free is None:
            return None
        key = window_key(user_id)
        while True:
            found = await self._state.get(key)
            if found is None:
                raise SendError("permanent", "no message from this resident yet", code=CLOSED)
            current, version = found
            now_ms = int(self._clock() * 1000)
            if now_ms - int(current["since"]) > self._window_ms:
                raise SendError("permanent", "48-hour reply window has passed", code=CLOSED)
            if int(current["sent"]) >= self._free:
                raise SendError("permanent", f"{self._free} free replies used", code=CLOSED)
            taken: dict[str, Any] = {**current, "sent": int(current["sent"]) + 1}
            if await self._state.put(key, taken, expected_version=version):
                return int(current["since"])

    async def release(self, user_id: str, since: int | None) -> None:
        """Give a slot back after a failed send (only within the same window)."""
        if since is None:
            return
        key = window_key(user_id)
        while True:
            found = await self._state.get(key)
            if found is None:
                return
            current, version = found
            if int(current["since"]) != since or int(current["sent"]) <= 0:
                return
            back = {**current, "sent": int(current["sent"]) - 1}
            if await self._state.put(key, back, expected_version=version):
                return
