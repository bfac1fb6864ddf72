"""One sender cannot flood the bot or the officers (issue 12, docs/decisions/0018).

- :class:`FloodGate`: each address (URN) may send ``sender_per_minute`` messages on average,
  ``sender_burst`` at once (GCRA through the :class:`~bot.ports.RateLimiter` port: memory, or
  Redis shared by every process). A message beyond that is dropped before the lock and the
  session are touched; the first one dropped in a minute is answered with one short "please
  wait" (``system_text("flood")``), the rest get nothing. A STOP / unfollow always passes: the
  person must always be able to leave.
- :class:`TooManyReports`: raised by ``report.submit`` when the contact filed
  ``reports_per_hour`` reports in the last hour. The turn rolls back (nothing filed, the old
  session kept) and the pipeline answers ``system_text("report_cap")``.

Limiter keys hold a hash of the address, never the address itself (no phone numbers in Redis).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Literal

from bot.config import InputLimits
from bot.domain.messages import Inbound
from bot.outage import is_outage
from bot.outbound.limiter import Rate
from bot.ports import RateLimiter

log = logging.getLogger(__name__)

Verdict = Literal["pass", "drop", "tell"]
_PASSING_EVENTS = frozenset({"stop", "unfollow"})
TELL_EVERY_SECONDS = 60.0


class TooManyReports(Exception):
    """The contact has filed its hourly number of reports; this one is not filed."""


def sender_tag(address: str) -> str:
    """A stable, short, one-way name of ``address`` for limiter keys and logs."""
    return hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()[:24]


class FloodGate:
    """Decides, per inbound message, whether its sender is within their rate."""

    def __init__(self, limiter: RateLimiter, limits: InputLimits) -> None:
        self._limiter = limiter
        self._rate = Rate(per_second=limits.sender_per_minute / 60, burst=limits.sender_burst)
        self._tell = Rate(per_second=1 / TELL_EVERY_SECONDS, burst=1)

    async def admit(self, msg: Inbound) -> Verdict:
        """``pass``: handle it; ``drop``: ignore it; ``tell``: ignore it, say "please wait"."""
        if msg.event in _PASSING_EVENTS:
            return "pass"
        tag = sender_tag(msg.address)
        try:
            if await self._limiter.try_acquire(f"inbound:{tag}", self._rate) == 0.0:
                return "pass"
            told = await self._limiter.try_acquire(f"inbound-told:{tag}", self._tell) == 0.0
        except Exception as exc:
            if not is_outage(exc):
                raise
            return "pass"  # the limiter's Redis is down: fail open (the turn answers for itself)
        log.warning("flood: message from %s dropped (%s, told=%s)", tag[:8], msg.adapter, told)
        return "tell" if told else "drop"
