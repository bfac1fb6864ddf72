"""The boundaries of the application, as Protocols: every one here has real implementations
and callers.

Everything with I/O sits behind one of these; ``bot/app.py`` picks the implementation from
:class:`bot.config.Settings`. Contract tests run one test class against every implementation:

- :class:`Nlu` — built-in (``bot.nlu``) and Rasa (``integrations.rasa``);
- :class:`SessionStore`, :class:`Locker`, :class:`Deduper` — memory and Redis (``bot.sessions``);
- :class:`ChannelAdapter` — one per folder of ``integrations/``, plus the simulator;
- :class:`ChannelState` — memory and SQL (Zalo's tokens and reply window);
- :class:`RateLimiter` — memory and Redis GCRA (``bot.outbound.limiter``);
- :class:`JobQueue` — in-process and arq on Redis (``bot.jobs``);
- :class:`PlaceLookup`, :class:`PolicyService` — the gazetteer and the policy rules, in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.channels.base import Activity, ParseResult, SendResult, WebhookRequest
from bot.domain.json import JSON as JSON
from bot.domain.messages import Outbound, Reply
from bot.domain.places import Commune, PlaceMatch, Village
from bot.domain.policy import Classification, Indicator, LoanProgram, Standard, Support

if TYPE_CHECKING:
    from bot.outbound.limiter import Rate
    from bot.store.work import Work


@runtime_checkable
class Nlu(Protocol):
    """Free text in, Rasa ``/model/parse`` JSON out.

    The result has ``text``, ``intent`` (``{"name", "confidence"}``), ``entities`` (each with
    ``entity``, ``value``, ``start``, ``end``, ``extractor``, optional ``confidence``) and
    ``intent_ranking``. Below the confidence threshold the intent name is ``nlu_fallback``.
    """

    async def parse(self, text: str) -> JSON: ...


class StoreUnavailable(Exception):
    """The database cannot be reached now. Raised by the pipeline for a message whose turn
    could not run because of it (its delivery mark is taken back first), so the webhook side
    keeps the message on disk and answers it once the database is back
    (:mod:`bot.channels.spool`)."""


class StateUnavailable(Exception):
    """The conversation state (sessions, locks, dedupe marks) cannot be reached now: Redis
    is down or does not answer. Raised by every backend operation instead of the client's
    own error, so the pipeline can answer with an apology and the webhook with a 503."""


class SessionStore(Protocol):
    """Conversation state as JSON, keyed by conversation, with a time to live."""

    async def load(self, key: str) -> JSON | None: ...

    async def save(self, key: str, data: JSON, ttl_seconds: int) -> None: ...

    async def delete(self, key: str) -> None: ...


class Locker(Protocol):
    """Per-conversation mutual exclusion (across processes when backed by Redis)."""

    def lock(self, key: str, timeout_seconds: float = 30.0) -> AbstractAsyncContextManager[None]:
        """Hold the lock for the block; waits up to ``timeout_seconds`` then raises TimeoutError."""
        ...


class Deduper(Protocol):
    """Remembers provider delivery ids so a retried webhook is processed once."""

    async def first_time(self, key: str, ttl_seconds: int) -> bool:
        """Atomically mark ``key`` seen; True only for the first caller within the TTL."""
        ...

    async def forget(self, key: str) -> None:
        """Take the mark back: the delivery was not handled after all (it will come again)."""
        ...


class ChannelAdapter(Protocol):
    """One messaging system (``integrations/<name>/``, or the simulator).

    Built as ``Adapter(settings, deps)``; a missing or bad setting raises
    :class:`bot.channels.base.AdapterConfigError` then, never at the first send.

    1. ``verify(request)`` — authenticity only (secret-token header, HMAC / SHA-256 signature),
       in constant time; raises ``Unauthorized`` (401 / 403, nothing runs). It writes nothing.
    2. ``parse(request)`` — provider payload -> ``ParseResult`` (``Inbound`` messages, delivery
       statuses, contact activity); ``BadPayload`` for an unreadable body (400); an unknown
       event type is not an error (200, ignored).
    3. ``record_activity(activity)`` — called for every authentic, parsed delivery before any
       reply is sent: what the adapter must remember of a contact writing (Zalo's free reply
       window); most adapters do nothing.
    4. ``reachable(address)`` — None if a message the bot starts itself can go to ``address``
       now, else a reason code (``zalo_window_closed``): the router then tries another way.
    5. ``render(address, replies, language, rendering=None)`` — replies -> ``Outbound``;
       ``rendering`` matters only to the simulator, which can show any.
    6. ``send(outbound)`` — one provider call; ``SendResult`` or ``SendError`` (one vocabulary,
       mapped in one place per adapter). With ``idempotent_sends`` a retried send can never
       reach the person twice (the provider deduplicates on ``meta["outbound_id"]``).

    ``redelivers``: the provider keeps a delivery the webhook did not answer 2xx and sends it
    again (Telegram). While the conversation state is down such a webhook answers 503 and the
    message waits at the provider; other providers' messages are accepted and answered with
    a short apology (see ``docs/decisions/0015-embedded-speed-and-redis-down.md``).
    """

    name: str  # registry key and /webhooks/<name>: "telegram", "zalo", "twilio_sms", ...
    rendering: str  # how its messages look: "telegram" | "zalo" | "sms"
    schemes: tuple[str, ...]  # URN schemes it reaches: ("telegram",), ("tel",), ...
    idempotent_sends: bool
    redelivers: bool

    async def verify(self, request: WebhookRequest) -> None: ...

    def parse(self, request: WebhookRequest) -> ParseResult: ...

    async def record_activity(self, activity: Sequence[Activity]) -> None: ...

    async def reachable(self, address: str) -> str | None: ...

    async def reachable_many(self, addresses: Sequence[str]) -> dict[str, str]:
        """:meth:`reachable` for many addresses at once: only the refused ones, with why."""
        ...

    def render(
        self,
        address: str,
        replies: Sequence[Reply],
        language: str,
        rendering: str | None = None,
    ) -> list[Outbound]: ...

    async def send(self, message: Outbound) -> SendResult: ...

    async def aclose(self) -> None: ...


class ChannelState(Protocol):
    """Durable key -> (JSON value, version), shared by every process; versions start at 1 and
    grow by one per write (Zalo's single-use refresh token, its reply window)."""

    async def get(self, key: str) -> tuple[JSON, int] | None: ...

    async def get_many(self, keys: Sequence[str]) -> dict[str, JSON]:
        """The values of those ``keys`` that exist (one round trip; for planning)."""
        ...

    async def put(self, key: str, value: JSON, *, expected_version: int | None) -> bool:
        """Write if the stored version equals ``expected_version`` (None: key must be absent).
        Returns False, writing nothing, when another writer got there first.
        """
        ...


class RateLimiter(Protocol):
    """Send budgets (GCRA) shared by every sender of one adapter."""

    async def try_acquire(
        self, key: str, rate: Rate, cost: float = 1.0, *, reserve: float = 0.0
    ) -> float:
        """0.0 if ``cost`` units were taken now; else the seconds to wait (nothing taken).

        ``reserve`` units of the bucket stay free for others: bulk sends take with
        ``reserve=1`` so a reply always finds a unit (replies are never starved by bulk); a
        taker with ``reserve=0`` (a reply) needs one free unit whatever its ``cost``.
        """
        ...

    async def try_acquire_all(
        self, keys: Sequence[tuple[str, Rate]], cost: float = 1.0, *, reserve: float = 0.0
    ) -> float:
        """``try_acquire`` on every key at once: all taken (0.0) or none (the longest wait)."""
        ...

    async def pause(self, key: str, seconds: float) -> None:
        """Nobody takes from ``key`` for ``seconds`` (the provider said 429, retry after)."""
        ...


class JobQueue(Protocol):
    """Runs committed work: sends and jobs, in two lanes (``reply`` ahead of ``bulk``).

    ``enqueue`` is idempotent per item (queueing an item already queued does nothing); items
    survive a crash of the process that queued them (arq) or are re-queued by the sweeper from
    the database (in-process runner).
    """

    async def enqueue(self, work: Sequence[Work]) -> None: ...

    async def depth(self) -> dict[str, int]:
        """Items due now and waiting for a worker, per lane (the queue-depth metric)."""
        ...

    async def aclose(self, grace_seconds: float = 10.0) -> None: ...


class PlaceLookup(Protocol):
    """The gazetteer, in memory. Matching ignores case, spacing and diacritics and is fuzzy."""

    def match(
        self, text: str, *, commune_code: str | None = None, limit: int = 5
    ) -> list[PlaceMatch]:
        """Candidates for a place named in ``text``, best first; ``commune_code`` narrows."""
        ...

    def commune(self, code: str) -> Commune | None: ...

    def village(self, village_id: str) -> Village | None: ...

    def villages_of(self, commune_code: str) -> list[Village]: ...


class PolicyService(Protocol):
    """Poverty standards, supports and loans, in memory, picked by date."""

    def standard_on(self, day: date) -> Standard: ...

    def indicators(self, day: date) -> list[Indicator]: ...

    def classify(
        self, area: str, income: int, deprived: Sequence[str], day: date
    ) -> Classification:
        """Raises ValueError on an unknown area or indicator key, or a negative income."""
        ...

    def supports_for(self, klass: str, day: date) -> list[Support]: ...

    def loan_programs(self, day: date) -> list[LoanProgram]: ...

    def disaster_supports(self, day: date) -> list[Support]:
        """Emergency housing supports after a disaster (Decree 20/2021 Art. 15) on ``day``."""
        ...

    def standard_notes(self, day: date) -> JSON:
        """Per-part confidence and plain-words notes of the standard on ``day``."""
        ...

    def review_info(self, day: date) -> JSON:
        """Review windows, forms, submission path, loans path, civil registration on ``day``."""
        ...
