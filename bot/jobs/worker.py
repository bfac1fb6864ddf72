"""``banbot worker``: runs the queue's items (sends, bulk pumps, jobs) from Redis.

Any number of worker processes may run; they share both lanes and the send limits. Each also
sweeps the database for work a crash left behind. Stop with SIGTERM / SIGINT: running items
get ``shutdown_grace`` to finish; what is cut short is taken again after restart (the row is
``sending`` or ``running`` and becomes stale).
"""

from __future__ import annotations

import asyncio
import logging

from bot.config import Settings

log = logging.getLogger(__name__)


async def run_worker(
    settings: Settings, *, stop: asyncio.Event | None = None, settle: bool = False
) -> None:
    """Build the bot, then work until a signal (or ``stop``); ``settle`` freezes the heap
    built at start (``bot.app.settle_heap``: the process runs nothing else)."""
    if settings.queue != "saq":
        raise SystemExit(
            "banbot worker needs BANBOT_QUEUE=saq and BANBOT_REDIS_URL; with the local queue "
            "`banbot serve` runs the work itself"
        )
    from bot.app import build_app, settle_heap
    from bot.jobs.saq_queue import SaqQueue, serve, workers

    app = await build_app(settings, nlu=False)
    if settle:
        settle_heap()
    try:
        channels = app.channels
        if channels is None or not isinstance(channels.queue, SaqQueue):
            raise RuntimeError("the bot was built without the saq queue")
        await channels.queue.connect()
        channels.start(sweep=True)
        concurrency = {"reply": settings.queue_workers_reply, "bulk": settings.queue_workers_bulk}
        log.info("worker ready: lanes reply x%d, bulk x%d", *concurrency.values())
        await serve(
            workers(channels.queue, channels.runner, concurrency=concurrency),
            stop or asyncio.Event(),
        )
    finally:
        await app.aclose()
