"""The OA reply window: 8 replies in 48 h after the resident's last message, then closed."""

from __future__ import annotations

import pytest

from bot.channels.base import SendError
from bot.channels.state import MemoryChannelState
from integrations.zalo.window import CLOSED, ReplyWindow

T0 = 1_767_225_600.0
HOUR = 3600


def window(clock: list[float], **kw: int | None) -> ReplyWindow:
    return ReplyWindow(MemoryChannelState(), lambda: clock[0], **kw)  # type: ignore[arg-type]


async def closed(w: ReplyWindow, user: str = "u1") -> str:
    with pytest.raises(SendError) as caught:
        await w.reserve(user)
    assert (caught.value.kind, caught.value.code) == ("permanent", CLOSED)
    return caught.value.detail


async def test_no_message_yet_means_closed() -> None:
    assert "no message" in await closed(window([T0]))


async def test_eight_replies_then_closed_until_the_resident_writes_again() -> None:
    clock = [T0]
    w = window(clock)
    await w.user_wrote("u1", int(T0 * 1000), "m1")
    for _ in range(8):
        await w.reserve("u1")
    assert "8 free replies" in await closed(w)
    await w.user_wrote("u1", int((T0 + 60) * 1000), "m2")  # a new message resets the count
    for _ in range(8):
        await w.reserve("u1")
    await closed(w)


async def test_window_is_48_hours_from_the_last_message() -> None:
    clock = [T0]
    w = window(clock)
    await w.user_wrote("u1", int(T0 * 1000), "m1")
    clock[0] = T0 + 48 * HOUR  # exactly 48 h: still open
    await w.reserve("u1")
    clock[0] = T0 + 48 * HOUR + 1
    assert "48-hour" in await closed(w)


async def test_replayed_or_late_delivery_does_not_reopen() -> None:
    clock = [T0]
    w = window(clock)
    await w.user_wrote("u1", int(T0 * 1000), "m2")
    for _ in range(8):
        await w.reserve("u1")
    await w.user_wrote("u1", int(T0 * 1000), "m2")  # Zalo retried the same delivery
    await w.user_wrote("u1", int((T0 - 600) * 1000), "m1")  # an older message arrived late
    await closed(w)


async def test_counts_are_per_resident() -> None:
    w = window([T0])
    await w.user_wrote("u1", int(T0 * 1000), "a")
    await w.user_wrote("u2", int(T0 * 1000), "b")
    for _ in range(8):
        await w.reserve("u1")
    await closed(w, "u1")
    await w.reserve("u2")


async def test_release_gives_the_slot_back_only_in_the_same_window() -> None:
    clock = [T0]
    w = window(clock)
    await w.user_wrote("u1", int(T0 * 1000), "m1")
    since = None
    for _ in range(8):
        since = await w.reserve("u1")
    await w.release("u1", since)
    await w.reserve("u1")  # the released slot
    await w.user_wrote("u1", int((T0 + 5) * 1000), "m2")
    await w.release("u1", since)  # a stale release must not add a 9th slot to the new window
    for _ in range(8):
        await w.reserve("u1")
    await closed(w)


async def test_configurable_numbers_and_off_switch() -> None:
    clock = [T0]
    w = window(clock, window_seconds=HOUR, free_replies=2)
    await w.user_wrote("u1", int(T0 * 1000), "m1")
    await w.reserve("u1")
    await w.reserve("u1")
    await closed(w)
    off = window(clock, free_replies=None)
    assert await off.reserve("never-wrote") is None
