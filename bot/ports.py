"""The boundaries of the application, as Protocols.

Everything with I/O sits behind one of these; ``bot/app.py`` picks the implementation from
:class:`bot.config.Settings`. Contract tests run one test class against every implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date
from typing import Any, Protocol, runtime_checkable

from bot.domain.messages import Outbound
from bot.domain.places import Commune, PlaceMatch, Village
from bot.domain.policy import Classification, Indicator, LoanProgram, Standard, Support

JSON = dict[str, Any]


@runtime_checkable
class Nlu(Protocol):
    """Free text in, Rasa ``/model/parse`` JSON out.

    The result has ``text``, ``intent`` (``{"name", "confidence"}``), ``entities`` (each with
    ``entity``, ``value``, ``start``, ``end``, ``extractor``, optional ``confidence``) and
    ``intent_ranking``. Below the confidence threshold the intent name is ``nlu_fallback``.
    """

    async def parse(self, text: str) -> JSON: ...


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


class Channel(Protocol):
    """An outbound path to residents (Telegram, Zalo, SMS, simulator)."""

    name: str

    async def send(self, messages: Sequence[Outbound]) -> None: ...


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

    def standard_notes(self, day: date) -> dict[str, Any]:
        """Per-part confidence and plain-words notes of the standard on ``day``."""
        ...

    def review_info(self, day: date) -> dict[str, Any]:
        """Review windows, forms, submission path, loans path, civil registration on ``day``."""
        ...
