"""The ASGI application factory. The bot is built in the lifespan, so nothing runs at import."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.app import App, build_app, settle_heap
from bot.channels.base import ParseResult
from bot.channels.webhook import webhook_router
from bot.config import Settings, get_settings
from bot.ports import ChannelAdapter
from bot.web import health, sim, workspace
from bot.web.context import RequestIds
from bot.web.workspace.messenger import ResidentMessenger

STATIC = Path(__file__).parent / "static"


def create_app(
    settings: Settings | None = None,
    *,
    app_obj: App | None = None,
    telegram_polling: bool = False,
    messenger: ResidentMessenger | None = None,
    settle: bool = False,
) -> FastAPI:
    """Build the web application; ``app_obj`` lets tests inject an already-built bot.

    With ``telegram_polling`` (development without a public URL) Telegram updates are fetched
    by long polling instead of arriving at the webhook. ``messenger`` replaces how the
    workspace reaches residents (tests); by default it is the bot's own. ``settle``: the
    process serves only this app (``banbot serve``), so the heap built at start is frozen
    (``bot.app.settle_heap``).

    The simulator (``/sim/messages`` and the web chat at ``/``) is served only when
    ``Settings.simulator_enabled`` (off in production unless explicitly enabled; see
    ``bot/web/sim.py``). Without it ``/`` leads to the workspace.
    """
    cfg = settings or (app_obj.settings if app_obj is not None else get_settings())

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        bot = app_obj or await build_app(settings or get_settings())
        if settle:
            settle_heap()
        api.state.bot = bot
        if bot.channels is not None:
            # With the in-process queue this process also finds and resumes unsent work.
            bot.channels.start(sweep=bot.settings.queue == "local", inbound=True)
        stop = asyncio.Event()
        poller = _start_polling(bot, stop) if telegram_polling else None
        try:
            yield
        finally:
            stop.set()
            if poller is not None:
                await poller
            if app_obj is None:
                await bot.aclose()

    limits = cfg.limits
    # Bodies are counted as they stream in (Starlette's limit): 413 past the limit, before the
    # rest is read. Webhooks and the simulator get the smaller one (docs/decisions/0018).
    api = FastAPI(
        title="Bản Bot", version="0.1.0", lifespan=lifespan, max_body_size=limits.api_body_bytes
    )
    api.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    api.state.ws_messenger = messenger
    api.include_router(sim.router, max_body_size=limits.body_bytes)
    api.include_router(health.router)  # /healthz, /readyz, /metrics
    tiles = cfg.workspace.map_tile_url
    tile_host = "" if not tiles else "{0.scheme}://{0.netloc}".format(urlsplit(tiles))
    workspace.mount(api, tile_host=tile_host)

    async def sink(adapter: ChannelAdapter, result: ParseResult) -> None:
        bot: App = api.state.bot
        if bot.channels is None:
            raise RuntimeError("channels are not built")
        await bot.channels.runtime.sink(adapter, result)

    api.include_router(
        webhook_router(
            _EnabledAdapters(api),
            sink,
            max_body_size=limits.body_bytes,
            max_json_depth=limits.json_depth,
        )
    )

    @api.get("/", include_in_schema=False)
    async def index() -> Response:
        bot: App | None = getattr(api.state, "bot", None)
        if not (bot.settings if bot is not None else cfg).simulator_enabled:
            return RedirectResponse("/ws/", status_code=303)
        return FileResponse(STATIC / "index.html")

    api.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Added last, so it is the outermost: every log line of a request carries its request_id,
    # uvicorn's access line too (an inner @middleware("http") answers from a task of its own).
    api.add_middleware(RequestIds)
    return api


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with where and why, never what: the input may hold a phone number or a name, and
    a lone UTF-16 surrogate in it cannot even be encoded (FastAPI's default answered 500)."""
    detail = [
        {
            "loc": [_printable(part) for part in error.get("loc", ())],
            "type": _printable(error.get("type", "")),
            "msg": _printable(error.get("msg", "")),
        }
        for error in exc.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def _printable(value: object) -> str | int:
    if isinstance(value, int):
        return value
    return str(value).encode("utf-8", "replace").decode("utf-8")


def _start_polling(bot: App, stop: asyncio.Event) -> asyncio.Task[None]:
    """Run Telegram long polling into the same sink as the webhook."""
    from integrations.telegram.adapter import TelegramAdapter
    from integrations.telegram.polling import poll

    adapter = bot.channels.adapters.get("telegram") if bot.channels else None
    if bot.channels is None or not isinstance(adapter, TelegramAdapter):
        raise RuntimeError("--telegram-polling needs BANBOT_TELEGRAM__ENABLED=true and a token")
    return asyncio.create_task(poll(adapter, bot.channels.runtime.sink, stop))


class _EnabledAdapters(Mapping[str, ChannelAdapter]):
    """The adapters of the bot built in the lifespan (routes exist before it is built)."""

    def __init__(self, api: FastAPI) -> None:
        self._api = api

    def _current(self) -> Mapping[str, ChannelAdapter]:
        bot: App | None = getattr(self._api.state, "bot", None)
        if bot is None or bot.channels is None:
            return {}
        return bot.channels.webhook_adapters

    def __getitem__(self, name: str) -> ChannelAdapter:
        return self._current()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())
