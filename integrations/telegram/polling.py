"""Long polling for development (``banbot serve --telegram-polling``): no public URL needed.

Deletes the webhook first (``getUpdates`` is refused while one is set), then loops on
``getUpdates`` with ``offset = last update_id + 1`` so each update is confirmed once handed
over. Every update goes through :meth:`TelegramAdapter.parse_update` — the webhook's own
path after JSON validation — to the same ``sink`` the webhook route uses; a button press is
answered through the API because there is no webhook response to carry the answer.

Errors never end the loop: flood control waits ``retry_after``, a network / server error or
a conflict (another poller, a webhook set meanwhile) backs off, doubling up to a minute.
Setting ``stop`` ends the loop at once, even in the middle of a long poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.types import Update

from bot.channels.webhook import Sink
from integrations.telegram.adapter import ALLOWED_UPDATES, TelegramAdapter

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0


async def poll(
    adapter: TelegramAdapter,
    sink: Sink,
    stop: asyncio.Event,
    *,
    poll_seconds: int = 25,
    backoff: float = 1.0,
) -> None:
    """Feed updates to ``sink`` until ``stop`` is set. ``poll_seconds``: long-poll wait."""
    await adapter.bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    delay = backoff
    while not stop.is_set():
        try:
            updates = await _until_stopped(
                adapter.bot.get_updates(
                    offset=offset, timeout=poll_seconds, allowed_updates=ALLOWED_UPDATES
                ),
                stop,
            )
        except TelegramRetryAfter as exc:
            await _sleep(float(exc.retry_after), stop)
            continue
        except TelegramAPIError as exc:  # network, 5xx, 409 conflict
            log.warning("telegram getUpdates failed (%s); retrying in %.0fs", exc, delay)
            await _sleep(delay, stop)
            delay = min(delay * 2, MAX_BACKOFF)
            continue
        if updates is None:  # stopped while waiting
            return
        delay = backoff
        for update in updates:
            offset = update.update_id + 1
            await _deliver(adapter, sink, update)


async def _deliver(adapter: TelegramAdapter, sink: Sink, update: Update) -> None:
    """One update to the sink; a failure is logged and the update is not fetched again."""
    try:
        result = adapter.parse_update(update)
        await sink(adapter, result)
        await adapter.run_reply(result.response_body)
    except Exception:  # one bad update must not stop development polling
        log.exception("telegram update %s failed", update.update_id)


async def _until_stopped(
    call: Coroutine[Any, Any, list[Update]], stop: asyncio.Event
) -> list[Update] | None:
    """The call's result, or None (call cancelled) when ``stop`` is set first."""
    task = asyncio.ensure_future(call)
    stopper = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        stopper.cancel()
        return task.result()
    task.cancel()
    return None


async def _sleep(seconds: float, stop: asyncio.Event) -> None:
    """Wait ``seconds`` or until ``stop`` is set, whichever comes first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
