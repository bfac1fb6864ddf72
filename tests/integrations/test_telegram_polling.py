"""Long polling: webhook deleted first, offsets confirmed, same parse path, errors survived."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.channels.base import ParseResult
from bot.domain.messages import Inbound
from bot.ports import ChannelAdapter
from integrations.telegram.fake import FakeSession, fake_adapter
from integrations.telegram.polling import poll
from tests.integrations.harness import load


def update(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(load(f"telegram/{name}.json"))
    return data


class Sink:
    """Records inbounds; sets ``stop`` once ``want`` of them arrived."""

    def __init__(self, stop: asyncio.Event, want: int) -> None:
        self.stop, self.want = stop, want
        self.inbounds: list[Inbound] = []

    async def __call__(self, adapter: ChannelAdapter, result: ParseResult) -> None:
        self.inbounds.extend(result.inbounds)
        if len(self.inbounds) >= self.want:
            self.stop.set()


def ok(*updates: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "result": list(updates)}


async def run(session: FakeSession, want: int, **kw: Any) -> tuple[Sink, FakeSession]:
    adapter, fake = fake_adapter(session=session)
    stop = asyncio.Event()
    sink = Sink(stop, want)
    await asyncio.wait_for(poll(adapter, sink, stop, poll_seconds=0, backoff=0.01, **kw), 5)
    fake.assert_all_used()
    return sink, fake


async def test_updates_flow_through_parse_with_confirmed_offsets() -> None:
    script = FakeSession()
    script.add("getUpdates", 200, ok(update("text"), update("edited"), update("location")))
    script.add("getUpdates", 200, ok(update("callback")))
    sink, fake = await run(script, want=3)
    assert [c.method for c in fake.calls[:2]] == ["deleteWebhook", "getUpdates"]
    assert [i.external_id for i in sink.inbounds] == ["815000101", "815000104", "815000106"]
    assert sink.inbounds[2].button == "disaster:house:flooded"
    offsets = [c.params.get("offset") for c in fake.calls if c.method == "getUpdates"]
    assert offsets == [None, 815000105]  # last update_id of the first batch + 1
    assert fake.calls[-1].method == "answerCallbackQuery"  # no webhook response to carry it
    assert fake.calls[-1].params == {"callback_query_id": "4382bfdwdsb323b2d9"}


async def test_flood_control_server_errors_and_conflicts_do_not_end_polling() -> None:
    script = FakeSession()
    script.add_error("getUpdates", 429, "Too Many Requests: retry after 1", retry_after=1)
    script.add_error("getUpdates", 502, "Bad Gateway")
    script.add_error("getUpdates", 409, "Conflict: terminated by other getUpdates request")
    script.add("getUpdates", 200, ok(update("photo")))
    sink, fake = await run(script, want=1)
    assert sink.inbounds[0].media == ("AgACAgUAAxkBAAIBsmS3",)
    assert sum(c.method == "getUpdates" for c in fake.calls) == 4


async def test_a_failing_sink_skips_the_update_and_polling_goes_on() -> None:
    script = FakeSession()
    script.add("getUpdates", 200, ok(update("text"), update("location")))
    adapter, _ = fake_adapter(session=script)
    stop = asyncio.Event()
    seen: list[str] = []

    async def flaky(_: ChannelAdapter, result: ParseResult) -> None:
        seen.extend(i.external_id for i in result.inbounds)
        if len(seen) == 1:
            raise RuntimeError("database down")
        stop.set()

    await asyncio.wait_for(poll(adapter, flaky, stop, poll_seconds=0), 5)
    assert seen == ["815000101", "815000104"]


async def test_stop_ends_a_long_poll_at_once() -> None:
    adapter, fake = fake_adapter()
    polling, never = asyncio.Event(), asyncio.Event()
    original = fake.make_request

    async def slow(bot: Any, method: Any, timeout: int | None = None) -> Any:  # noqa: ASYNC109
        if method.__api_method__ == "getUpdates":
            polling.set()
            await never.wait()  # a long poll that never answers
        return await original(bot, method, timeout)

    fake.make_request = slow  # type: ignore[method-assign]
    stop = asyncio.Event()
    task = asyncio.create_task(poll(adapter, Sink(stop, 1), stop))
    await asyncio.wait_for(polling.wait(), 1)
    stop.set()
    await asyncio.wait_for(task, 1)  # returns although getUpdates never answered
    assert [c.method for c in fake.calls] == ["deleteWebhook"]
