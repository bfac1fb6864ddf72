"""The OA reply window: 8 free replies within 48 hours of the resident's last message.

Zalo's OA help centre: after a user writes, the OA may send **8 reply messages within 48 h**;
every new user message resets both the clock and the count; anything beyond is a "proactive"
message that needs a verified OA and paid quota. Policy has changed several times, so the
numbers are constructor arguments (``free_replies=None`` turns the check off) and Zalo's own
errors are mapped too.

State per resident in ``ChannelState`` under ``zalo:window:<user id>``:
``{"since": <ms of the last user message>, "msg_id": <its id>, "sent": <replies used>}``.

The window is opened by :meth:`ZaloOaAdapter.record_activity` from the ``Activity`` that
``parse`` reports for every resident event (``verify`` only verifies); the runtime records it
before any reply can be sent. Opening is idempotent (a replayed delivery has the same
``msg_id`` and no newer timestamp) and uses Zalo's event time, so retries hours later never
reopen an old window. A reply *reserves* a slot before the API call (compare-and-set, so two
concurrent sends cannot both take the 8th) and gives it back if the call fails; :meth:`closed`
looks without reserving (may a message the bot starts itself go out now?).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.channels.base import SendError
from bot.domain.json import JSON
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

    async def closed(self, user_id: str) -> str | None:
        """Why a reply could not go out now (None: a free reply is left); reserves nothing."""
        if self._free is None:
            return None
        found = await self._state.get(window_key(user_id))
        return _why_closed(found[0] if found else None, self._clock(), self._window_ms, self._free)

    async def closed_many(self, user_ids: Sequence[str]) -> dict[str, str]:
        """:meth:`closed` for many residents in one read: only those shut, with why."""
        if self._free is None:
            return {}
        found = await self._state.get_many([window_key(u) for u in user_ids])
        now, shut = self._clock(), {}
        for user in user_ids:
            why = _why_closed(found.get(window_key(user)), now, self._window_ms, self._free)
            if why is not None:
                shut[user] = why
        return shut

    async def reserve(self, user_id: str) -> int | None:
        """Take one reply slot; returns the window's ``since`` (for :meth:`release`)."""
        if self._free is None:
            return None
        key = window_key(user_id)
        while True:
            found = await self._state.get(key)
            current, version = found if found else (None, None)
            why = _why_closed(current, self._clock(), self._window_ms, self._free)
            if current is None or why is not None:
                raise SendError("permanent", why or "closed", code=CLOSED)
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


def _why_closed(current: JSON | None, now: float, window_ms: int, free: int) -> str | None:
    """The reason a window is shut at ``now`` (None: open with a free reply left)."""
    if current is None:
        return "no message from this resident yet"
    if int(now * 1000) - int(current["since"]) > window_ms:
        return f"{window_ms // 3_600_000}-hour reply window has passed"
    if int(current["sent"]) >= free:
        return f"{free} free replies used"
    return None
