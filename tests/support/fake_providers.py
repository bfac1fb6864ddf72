"""Fake provider servers on localhost, for tests that cross a process boundary (a worker
process sending while the test watches) and for load benches.

:class:`FakeTelegram` speaks enough of the Bot API for ``sendMessage``: it records every call
(thread-safe), answers like Telegram (``{"ok": true, "result": Message}``), can hold each send
for ``delay`` seconds (so a test can kill a worker with sends in flight), enforces a
per-second limit with a real 429 + ``retry_after`` when ``limit_per_second`` is set, and
injects scripted failures (``fail_next``: HTTP status codes to answer next).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Sent:
    chat_id: str
    text: str
    at: float


@dataclass
class FakeTelegram:
    delay: float = 0.0
    limit_per_second: float | None = None
    fail_next: deque[int] = field(default_factory=deque)
    calls: list[Sent] = field(default_factory=list)
    refused: int = 0
    port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._window: deque[float] = deque()
        self._ids = 0
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST", "GET"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeTelegram:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Telegram did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def texts(self) -> list[str]:
        with self._lock:
            return [c.text for c in self.calls]

    async def _handle(self, request: Request) -> JSONResponse:
        method = request.path_params["path"].rsplit("/", 1)[-1]
        form: dict[str, Any] = dict(await request.form()) if method else {}
        if method != "sendMessage":
            return JSONResponse({"ok": True, "result": True})
        with self._lock:
            status = self.fail_next.popleft() if self.fail_next else 200
            if status == 200 and self._over_limit():
                status = 429
        if status == 429:
            with self._lock:
                self.refused += 1
            body = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry",
                    "parameters": {"retry_after": 1}}  # fmt: skip
            return JSONResponse(body, status_code=429)
        if status != 200:
            return JSONResponse(
                {"ok": False, "error_code": status, "description": "fake error"},
                status_code=status,
            )
        if self.delay:
            await asyncio.sleep(self.delay)
        chat, text = str(form.get("chat_id", "")), str(form.get("text", ""))
        with self._lock:
            self._ids += 1
            self.calls.append(Sent(chat, text, time.monotonic()))
            message_id = self._ids
        result = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": int(chat) if chat.lstrip("-").isdigit() else 1, "type": "private"},
            "text": text,
        }
        return JSONResponse({"ok": True, "result": result})

    def _over_limit(self) -> bool:
        if self.limit_per_second is None:
            return False
        now = time.monotonic()
        while self._window and now - self._window[0] > 1.0:
            self._window.popleft()
        if len(self._window) >= self.limit_per_second:
            return True
        self._window.append(now)
        return False
