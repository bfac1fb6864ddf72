"""Building the channel side of the bot: adapters, send limiter, dispatcher, runtime.

With no channel enabled this builds an empty adapter map and idle machinery (no task runs
until a message is submitted), so the simulator works exactly as before.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from redis.asyncio import Redis

from bot.channels.runtime import ChannelRuntime, Handler
from bot.config import Settings
from bot.outbound.dispatcher import Dispatcher
from bot.outbound.limiter import MemoryRateLimiter, RedisRateLimiter
from bot.ports import ChannelAdapter, RateLimiter
from bot.store.channel_state import SqlChannelState
from bot.store.repo import Store
from integrations.registry import AdapterDeps, build_enabled

log = logging.getLogger(__name__)
Texts = Callable[[str, str], str]


async def _nothing() -> None:
    return None


@dataclass(slots=True)
class Channels:
    """The enabled adapters and what drives them; :meth:`aclose` drains and closes all."""

    adapters: dict[str, ChannelAdapter]
    dispatcher: Dispatcher
    runtime: ChannelRuntime
    _close_limiter: Callable[[], Awaitable[None]] = field(default=_nothing)

    async def aclose(self, grace_seconds: float = 10.0) -> None:
        await self.runtime.aclose(grace_seconds)  # inbound first: it submits replies
        await self.dispatcher.aclose(grace_seconds)
        for name, adapter in self.adapters.items():
            try:
                await adapter.aclose()
            except Exception:  # one adapter failing to close must not keep others open
                log.exception("closing adapter %s failed", name)
        await self._close_limiter()


def build_adapters(settings: Settings, store: Store, texts: Texts) -> dict[str, ChannelAdapter]:
    """The enabled adapters, with the SQL channel state and the catalogue texts."""
    return build_enabled(settings, AdapterDeps(state=SqlChannelState(store), texts=texts))


def build_limiter(settings: Settings) -> tuple[RateLimiter, Callable[[], Awaitable[None]]]:
    """Redis-shared limits when ``redis_url`` is set (many processes), else in memory."""
    if settings.redis_url is None:
        return MemoryRateLimiter(), _nothing
    client = Redis.from_url(settings.redis_url)
    return RedisRateLimiter(client), client.aclose


def build_channels(settings: Settings, store: Store, pipeline: Handler, texts: Texts) -> Channels:
    adapters = build_adapters(settings, store, texts)
    limiter, close = build_limiter(settings)
    dispatcher = Dispatcher(adapters, store, limiter, settings=settings)
    runtime = ChannelRuntime(pipeline, dispatcher, store)
    if adapters:
        log.info("channels enabled: %s", ", ".join(sorted(adapters)))
    return Channels(adapters, dispatcher, runtime, close)
