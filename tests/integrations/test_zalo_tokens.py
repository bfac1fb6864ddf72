"""Zalo OA token keeper: the single-use refresh token is spent exactly once, whoever asks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from bot.channels.base import AdapterConfigError, SendError
from bot.channels.state import MemoryChannelState
from bot.domain.messages import Outbound
from integrations.zalo.tokens import REUSE_SECONDS, TOKEN_KEY, Grant, TokenKeeper
from tests.integrations.test_zalo import NOW, OAUTH, OK, SEND, USER, make, opened

EXPIRED = {"error": -216, "message": "Access token is invalid"}


@pytest.fixture
def zalo_api() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=True) as mock:
        yield mock


def routes(mock: respx.MockRouter) -> tuple[respx.Route, respx.Route]:
    """Sends succeed only with the refreshed token; the refresh is slow, so calls overlap."""

    def send(request: httpx.Request) -> httpx.Response:
        good = request.headers["access_token"] == "access-2"
        return httpx.Response(200, json=OK if good else EXPIRED)

    async def refresh(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        grant = {"access_token": "access-2", "refresh_token": "refresh-2", "expires_in": 90000}
        return httpx.Response(200, json=grant)

    return mock.post(SEND).mock(side_effect=send), mock.post(OAUTH).mock(side_effect=refresh)


def to(user: str) -> Outbound:
    return Outbound("zalo", f"zalo:{user}", "Chào bà con")


async def test_two_concurrent_sends_refresh_once(zalo_api: respx.MockRouter) -> None:
    send, refresh = routes(zalo_api)
    adapter = make()
    await opened(adapter, USER)
    await opened(adapter, "42")
    results = await asyncio.gather(adapter.send(to(USER)), adapter.send(to("42")))
    assert [r.external_id for r in results] == ["oa-msg-1", "oa-msg-1"]
    assert refresh.call_count == 1
    assert send.call_count == 4  # each: rejected once, then accepted with the new token
    await adapter.aclose()


async def test_two_processes_sharing_state_refresh_once(zalo_api: respx.MockRouter) -> None:
    """Two adapters (own locks, one store) stand for two worker processes."""
    _send, refresh = routes(zalo_api)
    state = MemoryChannelState()
    first, second = make(state), make(state)
    await opened(first, USER)
    await opened(first, "42")
    await asyncio.gather(first.send(to(USER)), second.send(to("42")))
    assert refresh.call_count == 1
    form = dict(httpx.QueryParams(refresh.calls.last.request.content.decode()))
    assert form["refresh_token"] == "refresh-1"
    stored = await state.get(TOKEN_KEY)
    assert stored is not None
    assert (stored[0]["refresh_token"], stored[0]["generation"]) == ("refresh-2", 1)
    await first.aclose()
    await second.aclose()


async def test_known_expiry_refreshes_before_sending(zalo_api: respx.MockRouter) -> None:
    clock = [NOW]
    send, refresh = routes(zalo_api)
    state = MemoryChannelState()
    adapter = make(state, clock=lambda: clock[0])
    await opened(adapter)
    await adapter.send(to(USER))  # rejected, refreshed (expires in 90000 s), accepted
    clock[0] = NOW + 90000 - 30  # inside the skew before expiry
    await opened(adapter)
    refresh.side_effect = [
        httpx.Response(200, json={"access_token": "access-2", "refresh_token": "refresh-3"})
    ]
    before = send.call_count
    await adapter.send(to(USER))
    assert refresh.call_count == 2
    assert send.call_count == before + 1  # the refresh came first: no rejected send
    await adapter.aclose()


class Spy:
    """A refresher that records which refresh tokens were spent."""

    def __init__(self) -> None:
        self.spent: list[str] = []

    async def __call__(self, refresh_token: str) -> Grant:
        self.spent.append(refresh_token)
        n = len(self.spent) + 1
        return Grant(f"access-{n}", f"refresh-{n}", None)


async def test_new_settings_pair_reseeds_the_store() -> None:
    state = MemoryChannelState()
    spy = Spy()
    old = TokenKeeper(state, "access-1", "refresh-1", spy, lambda: NOW)
    await old.refresh(0)
    assert await old.current() == ("access-2", 1)
    # the operator re-authorised the OA and put a new pair in the settings
    fresh = TokenKeeper(state, "access-9", "refresh-9", spy, lambda: NOW)
    assert (await fresh.current())[0] == "access-9"
    await fresh.refresh((await fresh.current())[1])
    assert spy.spent == ["refresh-1", "refresh-9"]


async def test_the_token_is_reread_every_few_seconds_and_a_stale_one_is_recovered() -> None:
    """A notice sends 100 messages a second: the token is not read from the shared state for
    each. When another process refreshed meanwhile, this one's cached token is rejected and
    ``refresh`` finds the new pair without spending the refresh token again."""

    class Counting(MemoryChannelState):
        reads = 0

        async def get(self, key: str) -> tuple[dict[str, Any], int] | None:
            Counting.reads += 1
            return await super().get(key)

    state, spy, clock = Counting(), Spy(), [NOW]
    mine = TokenKeeper(state, "access-1", "refresh-1", spy, lambda: clock[0])
    other = TokenKeeper(state, "access-1", "refresh-1", spy, lambda: clock[0])
    assert await mine.current() == ("access-1", 0)
    reads = Counting.reads
    for _ in range(50):
        assert await mine.current() == ("access-1", 0)
    assert Counting.reads == reads  # from memory
    await other.refresh(0)  # another worker refreshed: access-2, generation 1
    assert await mine.current() == ("access-1", 0)  # not seen yet (Zalo will reject it)
    assert await mine.refresh(0) == ("access-2", 1)  # the rejection path finds the new pair
    assert spy.spent == ["refresh-1"]  # spent once
    assert await mine.current() == ("access-2", 1)
    clock[0] = NOW + REUSE_SECONDS + 1
    await mine.current()
    assert Counting.reads > reads + 1  # read again after a while


async def test_lease_of_a_dead_worker_expires() -> None:
    state = MemoryChannelState()
    clock = [NOW]
    spy = Spy()
    keeper = TokenKeeper(state, "a", "r", spy, lambda: clock[0], lease_seconds=30, poll_seconds=0)
    value, version = await keeper._load()
    dead: dict[str, Any] = {**value, "lease_until": NOW + 30}
    assert await state.put(TOKEN_KEY, dead, expected_version=version)
    clock[0] = NOW + 31
    assert await keeper.refresh(0) == ("access-2", 1)
    assert spy.spent == ["r"]


async def test_waiting_too_long_for_another_refresher_is_retryable() -> None:
    state = MemoryChannelState()
    clock = [NOW]
    spy = Spy()
    keeper = TokenKeeper(state, "a", "r", spy, lambda: clock[0], lease_seconds=30, poll_seconds=0)
    value, version = await keeper._load()
    busy: dict[str, Any] = {**value, "lease_until": NOW + 10_000}
    assert await state.put(TOKEN_KEY, busy, expected_version=version)

    async def tick(_: float) -> None:
        clock[0] += 10

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("integrations.zalo.tokens.asyncio.sleep", tick)
        with pytest.raises(SendError) as caught:
            await keeper.refresh(0)
    assert caught.value.kind == "retryable"
    assert spy.spent == []


def test_missing_tokens_are_a_configuration_error() -> None:
    # Was a "permanent zalo_auth" at the first send (after the window slot was given back):
    # now the adapter refuses to start, naming both variables.
    with pytest.raises(AdapterConfigError) as caught:
        make(zalo={"access_token": None, "refresh_token": None})
    assert str(caught.value) == (
        "zalo is enabled but neither BANBOT_ZALO__ACCESS_TOKEN nor BANBOT_ZALO__REFRESH_TOKEN "
        "is set"
    )


async def test_a_refresh_without_an_answer_leaves_the_message_retryable(
    zalo_api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """The message never left, so it is retryable; the refresh token may be spent (logged)."""
    zalo_api.post(SEND).mock(return_value=httpx.Response(200, json=EXPIRED))
    zalo_api.post(OAUTH).mock(side_effect=httpx.ReadTimeout("no answer"))
    adapter = make()
    await opened(adapter)
    with pytest.raises(SendError) as caught:
        await adapter.send(to(USER))
    assert (caught.value.kind, caught.value.code) == ("retryable", "network_unknown")
    assert "may be spent" in caplog.text
    await adapter.aclose()
