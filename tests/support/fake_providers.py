"""Fake provider servers on localhost, for tests that cross a process boundary (a worker
process sending while the test watches), for the adapters' HTTP stacks, and for load benches.

Each fake is a Starlette app that uvicorn serves in a daemon thread on a free 127.0.0.1 port
(``.url``, ``.start()``, ``.stop()``). It records every message it accepted in ``calls``
(:class:`Sent`: recipient, text, monotonic time, the id it answered with), thread-safely, and
answers with the provider's own success and error bodies. Recipients are the provider's ids,
so they compare across fakes: a bot address without its scheme (:func:`recipient_of`).

What each one reproduces, and what it does not:

- :class:`FakeTelegram` — Bot API ``/bot<token>/<method>``: ``sendMessage`` (form or JSON)
  answers ``{"ok": true, "result": Message}``; errors are ``{"ok": false, "error_code",
  "description"}`` and flood control a 429 with ``parameters.retry_after``; texts over 4096
  characters are a 400; every other method answers ``true``. Not reproduced: the per-chat
  (1/s) and per-group (20/min) limits, entity parsing, keyboards' validation, updates.
- :class:`FakeZaloBot` — the same envelope at ``/bot<token>/sendMessage`` with JSON bodies,
  string message ids, a 2000-character text limit and, if ``token`` is set, 401 for another
  token. The 429 body copies Telegram's (the platform's own is not documented).
- :class:`FakeZaloOa` — ``POST /v3.0/oa/message/cs`` with the ``access_token`` header and
  ``POST /v4/oa/access_token`` (single-use, rotating refresh tokens). Errors are HTTP 200
  with a negative ``error``: -216 for a token that is not the current one, -211 when
  ``quota`` is spent, -32 over ``limit_per_second``, any code through ``fail_next``. The codes
  and texts come from third-party tables (Zalo's own could not be read). Not reproduced: the
  48 h / 8-reply window (the adapter keeps it), templates, attachments, webhooks.
- :class:`FakeTwilio` — ``POST /2010-04-01/Accounts/{sid}/Messages.json`` with Basic auth
  (401 / 20003), 201 and a Message resource (``queued``, or ``accepted`` with a Messaging
  Service; ``num_segments`` from our own GSM-7 / UCS-2 counter, not an independent one);
  errors ``{"code", "message", "more_info", "status"}``: 21610 for ``blocked`` numbers,
  21617 over 1600 characters, 429 / 20429 over the limit (Twilio documents no Retry-After,
  so none unless ``retry_after`` is set). ``callback_statuses`` posts signed
  (``X-Twilio-Signature``) status callbacks. Not reproduced: sender queues and per-number
  MPS, media, scheduling, the opt-out keywords themselves.
- :class:`FakeAndroidGateway` — the gateway's local-server API at the root: ``POST
  /messages`` (Basic auth) -> 202 and a MessageState, 409 for an id it already has, 503
  ``QueueLimitExceeded`` (or 429, ``throttle_status``) over the limit; ``/webhooks``
  registration; after each accepted message the ``report_events`` (default ``sms:sent``,
  ``sms:delivered``; ``sms:failed`` on request) that have a registered webhook are posted,
  signed (``X-Signature`` HMAC-SHA256 of body + ``X-Timestamp``). Not reproduced: the
  phone's own pacing and SIM limits, one ``sms:delivered`` per part, the ``/3rdparty/v1``
  prefix of the cloud and private servers (point ``base_url`` at ``.url``), encryption.

Knobs on every fake: ``limit_per_second`` (at most that many accepted in any sliding one-second
window; beyond it the provider's throttle answer, counted in ``refused``), ``fail_next`` (a
queue of faults, one per request once its auth and body are read: an HTTP status (429 is the
provider's own 429), ``"throttle"`` (the answer over the limit), ``"timeout"`` = the message
is accepted and recorded but the answer is held until the client gives up or
``timeout_hold`` seconds pass, ``"drop"`` = the connection is closed after the request was
read and nothing is recorded), ``fail_rate`` (that fraction of requests answered
with one of ``fail_statuses``, drawn from ``random.Random(seed)``), ``proxy_pages`` (502 / 503 /
504 answered as a load balancer's HTML page rather than the provider's JSON), ``delay`` per
accepted message, ``blocked`` recipients (the provider's "blocked / unsubscribed" answer), and
the counters ``accepted``, ``refused`` (throttle answers) and ``faulted`` (injected faults; a
``"timeout"`` counts as accepted too).

Using them: :data:`FAKES` maps each adapter's registry name to its fake; ``with fake:`` or
:func:`serving` starts and stops them; ``reset(**knobs)`` gives a running fake a fresh start
(uvicorn takes ~0.2 s to stop, so tests and benches share one); :class:`WebhookSink` records
what a fake posts back. Capacity: one uvicorn thread answers ~2,000 sends/s to an aiohttp
client in the same process; an httpx client in the same process gets 150-400/s (httpx, not
the fake), so a bench should send from another process.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import random
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import urlencode

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from bot.render.sms import segment_info

Fault = int | str  # an HTTP status (Zalo OA: a negative body code), "throttle", "timeout", "drop"
GATEWAY_PAGES = {
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}
VN = timezone(timedelta(hours=7))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


S = TypeVar("S", bound="_Served")


@contextlib.contextmanager
def serving(servers: Mapping[str, S]) -> Iterator[dict[str, S]]:
    """Start every server (fake or sink), yield them by name, stop them all at the end."""
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(server) for name, server in servers.items()}


def recipient_of(address: str) -> str:
    """What a fake records as the recipient of a bot address: ``telegram:42`` -> ``42``,
    ``tel:+84912345678`` -> ``+84912345678``."""
    return address.partition(":")[2] or address


@dataclass
class Sent:
    """One message a fake accepted."""

    recipient: str
    text: str
    at: float  # time.monotonic() when it was accepted
    message_id: str = ""
    fields: dict[str, Any] = field(default_factory=dict, repr=False)  # the request, parsed

    @property
    def chat_id(self) -> str:
        """The recipient under FakeTelegram's first name for it."""
        return self.recipient


@dataclass
class Delivery:
    """A webhook a fake posted (status callback, delivery report) and how it was answered."""

    url: str
    event: str
    status: int | str  # the HTTP status, or the error's name


class Answer(Exception):
    """Raised while reading a request: answer ``response`` now (auth, validation)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class _Served:
    """A Starlette app served by uvicorn in a daemon thread on ``self.port``."""

    port: int
    _server: uvicorn.Server
    _thread: threading.Thread
    _stopping: threading.Event

    def _serve(self, routes: list[BaseRoute]) -> None:
        self._stopping = threading.Event()
        app = Starlette(routes=routes, lifespan=self._lifespan)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        yield

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"{type(self).__name__} did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._stopping.set()  # held answers end now
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class WebhookSink(_Served):
    """Records every request posted to it (method, full URL, lower-case headers, raw body) and
    answers 200 — a stand-in for the bot's webhook routes when a test checks what a fake
    posted back."""

    port: int = field(default_factory=free_port)
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._serve([Route("/{path:path}", self._record, methods=["POST", "GET"])])

    async def _record(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            self.requests.append((request.method, str(request.url), headers, body))
        return Response("ok")

    def received(self) -> list[tuple[str, str, dict[str, str], bytes]]:
        with self._lock:
            return list(self.requests)


@dataclass
class Incoming:
    """A send request, read: who to, what, and the request's fields."""

    recipient: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeProvider(_Served):
    """The shared machinery; a subclass speaks one provider's protocol (see the module doc)."""

    delay: float = 0.0
    limit_per_second: float | None = None
    fail_next: deque[Fault] = field(default_factory=deque)
    fail_rate: float = 0.0
    fail_statuses: tuple[int, ...] = (500, 502, 503)
    seed: int = 0
    timeout_hold: float = 65.0  # longer than every adapter's own client timeout
    retry_after: int | None = 1
    proxy_pages: bool = False
    blocked: set[str] = field(default_factory=set)
    calls: list[Sent] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    accepted: int = field(default=0, init=False)
    refused: int = field(default=0, init=False)
    faulted: int = field(default=0, init=False)
    port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._http: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._fresh()
        self._serve(self.routes())

    def _fresh(self) -> None:
        """The state that is not a field: the limit's window, the random faults, the ids."""
        self._window: deque[float] = deque()
        self._random = random.Random(self.seed)
        self._ids = 0

    def reset(self, **knobs: Any) -> Self:
        """Back to a fresh fake while the server keeps running: every field (knobs, records,
        counters) at its default, then ``knobs`` applied. Cheaper than a new server (uvicorn
        takes ~0.2 s to stop), so tests and benches can share one fake."""
        with self._lock:
            for f in fields(self):
                if f.name == "port":
                    continue
                if f.default_factory is not MISSING:
                    setattr(self, f.name, f.default_factory())
                elif f.default is not MISSING:
                    setattr(self, f.name, f.default)
            for name, value in knobs.items():
                if name not in self.__dataclass_fields__:
                    raise TypeError(f"{type(self).__name__} has no knob {name!r}")
                setattr(self, name, value)
            self._fresh()
        return self

    # -- what a subclass provides ----------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    async def read(self, request: Request) -> Incoming:
        """The send request, read; raise :class:`Answer` to refuse it (auth, validation)."""
        raise NotImplementedError

    def check(self, incoming: Incoming) -> Response | None:
        """A refusal the provider makes once the request passed its limits, else None."""
        return None

    def success(self, sent: Sent) -> Response:
        raise NotImplementedError

    def throttled(self) -> Response:
        """The provider's answer over its rate limit."""
        raise NotImplementedError

    def error(self, status: int) -> Response:
        """The provider's own answer with HTTP ``status`` (429: its throttle answer)."""
        raise NotImplementedError

    def blocked_answer(self) -> Response | None:
        """The answer for a recipient in ``blocked`` (None: the provider cannot tell)."""
        return None

    def new_id(self, n: int, incoming: Incoming) -> str:
        return str(n)

    def after_accept(self, sent: Sent) -> None:
        """Runs in the server loop once ``sent`` is recorded (status callbacks)."""

    def _retry_after(self) -> dict[str, str]:
        """A ``Retry-After`` header when ``retry_after`` is set."""
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}

    # -- reading what happened -------------------------------------------------------------

    def snapshot(self) -> list[Sent]:
        with self._lock:
            return list(self.calls)

    def texts(self) -> list[str]:
        return [c.text for c in self.snapshot()]

    def recipients(self) -> list[str]:
        return [c.recipient for c in self.snapshot()]

    def delivered(self) -> list[Delivery]:
        with self._lock:
            return list(self.deliveries)

    # -- the send path ---------------------------------------------------------------------

    async def _send(self, request: Request) -> Response:
        try:
            incoming = await self.read(request)
        except Answer as answer:
            return answer.response
        fault = self._next_fault()
        if fault == "drop":
            self._count("faulted")
            await self._drop(request)
            return Response(status_code=204)  # never reaches the client
        if fault == "throttle" or (fault is None and self._over_limit()):
            self._count("refused")
            return self.throttled()
        if isinstance(fault, int):
            self._count("refused" if fault == 429 else "faulted")
            if self.proxy_pages and fault in GATEWAY_PAGES:
                return _gateway_page(fault)
            return self.error(fault)
        refusal = self.check(incoming)
        if refusal is None and incoming.recipient in self.blocked:
            refusal = self.blocked_answer()
        if refusal is not None:
            return refusal
        if self.delay:
            await asyncio.sleep(self.delay)
        sent = self._record(incoming)
        if fault == "timeout":
            self._count("faulted")
            await self._hold(request)
        self.after_accept(sent)
        return self.success(sent)

    def _next_fault(self) -> Fault | None:
        with self._lock:
            if self.fail_next:
                return self.fail_next.popleft()
            if self.fail_rate and self._random.random() < self.fail_rate:
                return self._random.choice(self.fail_statuses)
        return None

    def _over_limit(self) -> bool:
        if self.limit_per_second is None:
            return False
        now = time.monotonic()
        with self._lock:
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= self.limit_per_second:
                return True
            self._window.append(now)
        return False

    def _count(self, counter: str) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)

    def _record(self, incoming: Incoming) -> Sent:
        with self._lock:
            self._ids += 1
            message_id = self.new_id(self._ids, incoming)
            sent = Sent(
                incoming.recipient, incoming.text, time.monotonic(), message_id, incoming.fields
            )
            self.calls.append(sent)
            self.accepted += 1
        return sent

    async def _hold(self, request: Request) -> None:
        """Keep the answer back until the client hangs up, ``timeout_hold`` passes, or stop()."""
        gone = asyncio.ensure_future(_disconnected(request))
        deadline = time.monotonic() + self.timeout_hold
        try:
            while not gone.done() and not self._stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                await asyncio.wait({gone}, timeout=min(left, 0.05))
        finally:
            gone.cancel()

    async def _drop(self, request: Request) -> None:
        """Close the TCP connection under ``request`` without answering (uvicorn's cycle)."""
        transport = getattr(getattr(request.receive, "__self__", None), "transport", None)
        if transport is None:
            raise RuntimeError("cannot reach the connection to drop it (uvicorn changed)")
        transport.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_disconnected(request), 2)

    # -- posting back (status callbacks, delivery reports) ---------------------------------

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=5) as client:
            self._http = client
            try:
                yield
            finally:
                for task in list(self._tasks):
                    task.cancel()
                self._http = None

    def post_later(self, url: str, event: str, posts: list[tuple[bytes, dict[str, str]]]) -> None:
        """POST each ``(body, headers)`` to ``url`` in order, after this answer is sent."""
        task = asyncio.get_running_loop().create_task(self._post_all(url, event, posts))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post_all(
        self, url: str, event: str, posts: list[tuple[bytes, dict[str, str]]]
    ) -> None:
        await asyncio.sleep(0.01)  # after the send's own answer, as a provider does
        for body, headers in posts:
            status: int | str
            try:
                assert self._http is not None
                status = (await self._http.post(url, content=body, headers=headers)).status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            with self._lock:
                self.deliveries.append(Delivery(url, event, status))


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _gateway_page(status: int) -> HTMLResponse:
    title = f"{status} {GATEWAY_PAGES[status]}"
    page = f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center>"
    return HTMLResponse(page + "<hr><center>nginx</center></body></html>", status_code=status)


async def _fields(request: Request) -> dict[str, Any]:
    """A form or JSON body as a dict ({} when it is neither)."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = await request.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


# -- Telegram and Zalo Bot: the Bot API envelope -------------------------------------------------


@dataclass
class _BotApi(FakeProvider):
    """``/bot<token>/<method>``: ``{"ok": true, "result"}`` / ``{"ok": false, "error_code"}``."""

    max_text: ClassVar[int] = 4096
    token: str | None = None  # None: any token is a bot

    def routes(self) -> list[BaseRoute]:
        return [Route("/{path:path}", self._call, methods=["POST", "GET"])]

    async def _call(self, request: Request) -> Response:
        head, _, method = request.path_params["path"].rpartition("/")
        if self.token is not None and head != f"bot{self.token}":
            return self._fail(401, "Unauthorized")
        if method != "sendMessage":
            return self.other(method)
        return await self._send(request)

    def other(self, method: str) -> Response:
        return JSONResponse({"ok": True, "result": True})

    async def read(self, request: Request) -> Incoming:
        fields = await _fields(request)
        chat, text = str(fields.get("chat_id", "")), str(fields.get("text", ""))
        if not chat or not text:
            raise Answer(self._fail(400, "Bad Request: message text is empty"))
        if len(text) > self.max_text:
            raise Answer(self._fail(400, "Bad Request: message is too long"))
        return Incoming(chat, text, fields)

    def _fail(self, status: int, description: str, **extra: Any) -> JSONResponse:
        body = {"ok": False, "error_code": status, "description": description, **extra}
        return JSONResponse(body, status_code=status)

    def throttled(self) -> Response:
        after = self.retry_after or 1
        return self._fail(
            429, f"Too Many Requests: retry after {after}", parameters={"retry_after": after}
        )

    def error(self, status: int) -> Response:
        if status == 429:
            return self.throttled()
        return self._fail(status, BOT_API_ERRORS.get(status, "Internal Server Error"))

    def blocked_answer(self) -> Response:
        return self._fail(403, "Forbidden: bot was blocked by the user")


BOT_API_ERRORS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class FakeTelegram(_BotApi):
    def other(self, method: str) -> Response:
        if method == "getMe":
            me = {"id": 7000000001, "is_bot": True, "first_name": "Fake", "username": "fake_bot"}
            return JSONResponse({"ok": True, "result": me})
        return super().other(method)

    def success(self, sent: Sent) -> Response:
        chat = sent.recipient
        result = {
            "message_id": int(sent.message_id),
            "date": int(time.time()),
            "chat": {"id": int(chat) if chat.lstrip("-").isdigit() else 1, "type": "private"},
            "from": {"id": 7000000001, "is_bot": True, "first_name": "Fake"},
            "text": sent.text,
        }
        return JSONResponse({"ok": True, "result": result})


@dataclass
class FakeZaloBot(_BotApi):
    max_text: ClassVar[int] = 2000

    def new_id(self, n: int, incoming: Incoming) -> str:
        return f"{n:020x}"

    def success(self, sent: Sent) -> Response:
        result = {"message_id": sent.message_id, "date": int(time.time() * 1000)}
        return JSONResponse({"ok": True, "result": result})


# -- Zalo OA --------------------------------------------------------------------------------------

ZALO_ERRORS = {
    -32: "Request rate limit exceeded",
    -201: "Invalid parameter",
    -211: "Out of quota",
    -213: "User has not followed OA",
    -216: "Access token is invalid",
    -230: "User has not interacted with the OA in the past 7 days",
}


@dataclass
class FakeZaloOa(FakeProvider):
    """OA API v3 CS messages and the v4 OAuth refresh (see the module doc)."""

    access_token: str = "fake-oa-access"
    refresh_token: str = "fake-oa-refresh"
    app_secret: str | None = None  # checked against the refresh's secret_key header when set
    expires_in: int = 90000
    quota: int | None = None  # messages before -211 "Out of quota"
    refreshes: int = field(default=0, init=False)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v3.0/oa/message/cs", self._send, methods=["POST"]),
            Route("/v4/oa/access_token", self._refresh, methods=["POST"]),
        ]

    def expire_token(self) -> None:
        """The current access token stops working (the refresh token still does)."""
        with self._lock:
            self.access_token = f"expired-{self.access_token}"

    async def read(self, request: Request) -> Incoming:
        fields = await _fields(request)
        recipient, message = fields.get("recipient"), fields.get("message")
        if not isinstance(recipient, dict) or not isinstance(message, dict):
            raise Answer(self._error_body(-201))
        user = str(recipient.get("user_id") or recipient.get("message_id") or "")
        if not user:
            raise Answer(self._error_body(-201))
        with self._lock:
            valid = request.headers.get("access_token") == self.access_token
        if not valid:
            raise Answer(self._error_body(-216))
        return Incoming(user, str(message.get("text") or ""), fields)

    def check(self, incoming: Incoming) -> Response | None:
        if self.quota is not None and self.accepted >= self.quota:
            return self._error_body(-211)
        return None

    def new_id(self, n: int, incoming: Incoming) -> str:
        return f"{n:020x}"

    def success(self, sent: Sent) -> Response:
        data = {"message_id": sent.message_id, "user_id": sent.recipient}
        return JSONResponse({"error": 0, "message": "Success", "data": data})

    def throttled(self) -> Response:
        return self._error_body(-32)

    def error(self, status: int) -> Response:
        if status < 0:
            return self._error_body(status)
        if status == 429:
            body = {"error": -32, "message": ZALO_ERRORS[-32]}
            return JSONResponse(body, status_code=429, headers=self._retry_after())
        return _gateway_page(status) if status in GATEWAY_PAGES else Response(status_code=status)

    def blocked_answer(self) -> Response:
        return self._error_body(-213)

    def _error_body(self, code: int) -> JSONResponse:
        return JSONResponse({"error": code, "message": ZALO_ERRORS.get(code, "Unknown error")})

    async def _refresh(self, request: Request) -> Response:
        form = await request.form()
        secret_ok = self.app_secret is None or request.headers.get("secret_key") == self.app_secret
        with self._lock:
            if not secret_ok or form.get("refresh_token") != self.refresh_token:
                body = {"error": -14014, "error_name": "Invalid refresh token"}
                return JSONResponse(body)
            self.refreshes += 1
            self.access_token = f"fake-oa-access-{self.refreshes}"
            self.refresh_token = f"fake-oa-refresh-{self.refreshes}"
            grant = {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": str(self.expires_in),
            }
        return JSONResponse(grant)


# -- Twilio ---------------------------------------------------------------------------------------

TWILIO_ERRORS = {
    401: (20003, "Authenticate"),
    404: (20404, "The requested resource was not found"),
    429: (20429, "Too Many Requests"),
    500: (20500, "An internal server error has occurred"),
    503: (20503, "Service Unavailable"),
}


@dataclass
class FakeTwilio(FakeProvider):
    """Programmable Messaging's create-message call and status callbacks."""

    account_sid: str = "AC" + "0" * 32
    auth_token: str = "fake-auth-token"
    retry_after: int | None = None  # Twilio documents no Retry-After on 429
    callback_statuses: tuple[str, ...] = ()  # e.g. ("sent", "delivered"), posted in order
    status_callback: str | None = None  # instead of the request's StatusCallback

    def routes(self) -> list[BaseRoute]:
        path = "/2010-04-01/Accounts/{sid}/Messages.json"
        return [Route(path, self._send, methods=["POST"])]

    async def read(self, request: Request) -> Incoming:
        expected = (
            "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        )
        if request.headers.get("authorization") != expected:
            raise Answer(self._error(401))
        if request.path_params["sid"] != self.account_sid:
            raise Answer(self._error(404))
        fields = await _fields(request)
        to, body = fields.get("To", ""), fields.get("Body", "")
        if not to:
            raise Answer(self._error(400, 21604, "A 'To' phone number is required."))
        if not fields.get("From") and not fields.get("MessagingServiceSid"):
            raise Answer(self._error(400, 21603, "A 'From' phone number is required."))
        if len(body) > 1600:
            raise Answer(self._error(400, 21617, "The concatenated message body exceeds 1600"))
        return Incoming(to, body, fields)

    def new_id(self, n: int, incoming: Incoming) -> str:
        return f"SM{n:032x}"

    def success(self, sent: Sent) -> Response:
        now = format_datetime(datetime.now(UTC), usegmt=True)
        service = sent.fields.get("MessagingServiceSid")
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sent.message_id}"
        resource = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": sent.text,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sent.fields.get("From"),
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": str(segment_info(sent.text).segments),
            "price": None,
            "price_unit": "USD",
            "sid": sent.message_id,
            "status": "accepted" if service else "queued",
            "subresource_uris": {"media": f"{base}/Media.json"},
            "to": sent.recipient,
            "uri": f"{base}.json",
        }
        return JSONResponse(resource, status_code=201)

    def throttled(self) -> Response:
        response = self._error(429)
        response.headers.update(self._retry_after())
        return response

    def error(self, status: int) -> Response:
        return self.throttled() if status == 429 else self._error(status)

    def blocked_answer(self) -> Response:
        return self._error(400, 21610, "Attempt to send to unsubscribed recipient")

    def _error(self, status: int, code: int | None = None, message: str = "") -> JSONResponse:
        default_code, default_message = TWILIO_ERRORS.get(status, (20500, "Error"))
        code = code or default_code
        body = {
            "code": code,
            "message": message or default_message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return JSONResponse(body, status_code=status)

    def after_accept(self, sent: Sent) -> None:
        url = self.status_callback or sent.fields.get("StatusCallback")
        if not url or not self.callback_statuses:
            return
        validator = RequestValidator(self.auth_token)
        posts = []
        for status in self.callback_statuses:
            form = {
                "AccountSid": self.account_sid,
                "ApiVersion": "2010-04-01",
                "From": sent.fields.get("From") or "",
                "MessageSid": sent.message_id,
                "MessageStatus": status,
                "SmsSid": sent.message_id,
                "SmsStatus": status,
                "To": sent.recipient,
            }
            if sent.fields.get("MessagingServiceSid"):
                form["MessagingServiceSid"] = sent.fields["MessagingServiceSid"]
            if status in ("failed", "undelivered"):
                form["ErrorCode"] = "30008"
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": validator.compute_signature(url, form),
                "User-Agent": "TwilioProxy/1.1",
            }
            posts.append((urlencode(form).encode(), headers))
        self.post_later(url, "status_callback", posts)


# -- SMS Gateway for Android ---------------------------------------------------------------------


@dataclass
class FakeAndroidGateway(FakeProvider):
    """The gateway's message and webhook API (local-server paths, at the root)."""

    username: str = "sms"
    password: str = "fake-password"
    signing_key: str = "fake-signing-key"
    retry_after: int | None = None  # the server gives none when its queue is full
    throttle_status: int = 503  # 503 QueueLimitExceeded, or 429
    report_events: tuple[str, ...] = ("sms:sent", "sms:delivered")
    device_id: str = "ffffffffceb0b1db0000018e937c815b"
    device_phone: str = "+84980000000"
    webhooks: dict[str, dict[str, str]] = field(default_factory=dict)

    def _fresh(self) -> None:
        super()._fresh()
        self._known: set[str] = set()  # message ids already queued

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/messages", self._send, methods=["POST"]),
            Route("/message", self._send, methods=["POST"]),
            Route("/webhooks", self._webhooks, methods=["GET", "POST"]),
            Route("/webhooks/{id}", self._delete_webhook, methods=["DELETE"]),
        ]

    def _authorised(self, request: Request) -> bool:
        pair = f"{self.username}:{self.password}".encode()
        return request.headers.get("authorization") == "Basic " + base64.b64encode(pair).decode()

    async def read(self, request: Request) -> Incoming:
        if not self._authorised(request):
            raise Answer(JSONResponse({"message": "Unauthorized"}, status_code=401))
        fields = await _fields(request)
        numbers = fields.get("phoneNumbers")
        text = (fields.get("textMessage") or {}).get("text") or fields.get("message")
        if not isinstance(numbers, list) or len(numbers) != 1 or not isinstance(text, str):
            message = "one phone number and a textMessage are required (the fake sends one)"
            raise Answer(JSONResponse({"message": message}, status_code=400))
        return Incoming(str(numbers[0]), text, fields)

    def check(self, incoming: Incoming) -> Response | None:
        own_id = incoming.fields.get("id")
        if not own_id:
            return None
        with self._lock:
            if own_id in self._known:
                message = f"message with id {own_id} already exists"
                return JSONResponse({"message": message}, status_code=409)
            self._known.add(own_id)
        return None

    def new_id(self, n: int, incoming: Incoming) -> str:
        return str(incoming.fields.get("id") or f"fake{n:017d}")

    def success(self, sent: Sent) -> Response:
        state = {
            "id": sent.message_id,
            "deviceId": self.device_id,
            "state": "Pending",
            "isHashed": False,
            "isEncrypted": False,
            "recipients": [{"phoneNumber": sent.recipient, "state": "Pending"}],
            "states": {"Pending": _local_now()},
        }
        return JSONResponse(state, status_code=202)

    def throttled(self) -> Response:
        if self.throttle_status == 429:
            return self.error(429)
        body = {"error": "QueueLimitExceeded", "message": "queue limits exceeded: pending"}
        return JSONResponse(body, status_code=503, headers=self._retry_after())

    def error(self, status: int) -> Response:
        if status == 429:
            return JSONResponse({"message": "Too Many Requests"}, 429, self._retry_after())
        return JSONResponse({"message": f"fake error {status}"}, status_code=status)

    async def _webhooks(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"message": "Unauthorized"}, status_code=401)
        if request.method == "GET":
            with self._lock:
                return JSONResponse(list(self.webhooks.values()))
        hook = await _fields(request)
        hook_id = str(hook.get("id") or f"hook{len(self.webhooks) + 1}")
        stored = {"id": hook_id, "url": str(hook.get("url")), "event": str(hook.get("event"))}
        with self._lock:
            self.webhooks[hook_id] = stored
        return JSONResponse(stored, status_code=201)

    async def _delete_webhook(self, request: Request) -> Response:
        with self._lock:
            self.webhooks.pop(request.path_params["id"], None)
        return Response(status_code=204)

    def after_accept(self, sent: Sent) -> None:
        wants_report = sent.fields.get("withDeliveryReport", True) is not False
        for event in self.report_events:
            if event == "sms:delivered" and not wants_report:
                continue
            with self._lock:
                hooks = [h for h in self.webhooks.values() if h["event"] == event]
            for hook in hooks:
                envelope = {
                    "deviceId": self.device_id,
                    "event": event,
                    "id": f"evt{self._random.getrandbits(64):016x}",
                    "webhookId": hook["id"],
                    "payload": self._report(event, sent),
                }
                body = json.dumps(envelope, separators=(",", ":")).encode()
                self.post_later(hook["url"], event, [(body, self.signed(body))])

    def _report(self, event: str, sent: Sent) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "messageId": sent.message_id,
            "sender": self.device_phone,
            "recipient": sent.recipient,
            "simNumber": 1,
        }
        if event == "sms:sent":
            payload.update(partsCount=segment_info(sent.text).segments, sentAt=_local_now())
        elif event == "sms:delivered":
            payload["deliveredAt"] = _local_now()
        elif event == "sms:failed":
            payload.update(failedAt=_local_now(), reason="RESULT_ERROR_GENERIC_FAILURE")
        return payload

    def signed(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """The headers the app sends with ``body`` (``X-Signature`` over body + timestamp)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        digest = hmac.new(self.signing_key.encode(), body + stamp.encode(), hashlib.sha256)
        return {
            "Content-Type": "application/json",
            "User-Agent": "me.capcom.smsgateway/1.68.0",
            "X-Signature": digest.hexdigest(),
            "X-Timestamp": stamp,
        }


def _local_now() -> str:
    """The phone's clock format: ``2026-06-22T15:46:11.000+07:00``."""
    return datetime.now(VN).isoformat(timespec="milliseconds")


# The fake of each adapter, by the adapter's registry name (integrations/registry.py).
FAKES: dict[str, type[FakeProvider]] = {
    "telegram": FakeTelegram,
    "zalo": FakeZaloOa,
    "zalo_bot": FakeZaloBot,
    "twilio_sms": FakeTwilio,
    "android_sms": FakeAndroidGateway,
}
