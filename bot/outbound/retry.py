"""How often and how long to retry a failed send."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retryable errors: up to ``max_attempts`` sends in all, exponential backoff with jitter.

    Throttling (429) is not the message's fault: it waits ``retry_after`` and does not count
    as an attempt, but gives up after ``max_throttled`` throttles so a queue cannot spin forever.
    """

    # a provider down for a minute or two loses nothing: ten tries over ~2-3 minutes
    # (0.5-1 s, 1-2 s, ... 30-60 s); five from 0.5 s gave up after 7.5 s
    max_attempts: int = 10
    base_delay: float = 1.0
    max_delay: float = 60.0
    # throttling is not the message's fault: it fails only after ~15 minutes of 429s
    max_throttled: int = 20

    def delay(self, attempt: int, rand: float) -> float:
        """Seconds before retry number ``attempt`` (1-based); ``rand`` in [0, 1).

        "Equal jitter": half the exponential step is fixed, half random, so retries of many
        messages after one outage spread out but never come back at once.
        """
        step = min(self.max_delay, self.base_delay * 2.0 ** max(0, attempt - 1))
        return step / 2 + rand * step / 2


@dataclass(slots=True)
class ThrottleBackoff:
    """How long to pause an adapter after a throttle whose provider named no wait (Zalo's
    ``-32 rate limit``, a 429 without ``Retry-After``).

    A fixed minute cost a Zalo notice half its rate (measured: 19 such answers at 50 msg/s,
    each a minute of silence). Here the first pause is short and each throttle that comes
    *after* the last pause ended doubles it, up to ``most``; a quiet spell of ``quiet``
    seconds starts again from ``first``. Throttles of calls already in flight when the pause
    began (several at once) do not count again: they get what is left of the pause.

    Per process: workers each keep their own level; the pause itself is shared through the
    limiter, which keeps the longest.
    """

    first: float = 1.0
    most: float = 60.0
    quiet: float = 30.0
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> (pause, until)

    def next(self, key: str, now: float) -> float:
        """Seconds to pause ``key`` for a throttle seen at ``now`` (monotonic seconds)."""
        pause, until = self._state.get(key, (0.0, float("-inf")))
        if now < until:
            return until - now  # a call that was in flight when the pause began
        pause = min(self.most, pause * 2) if now - until < self.quiet and pause else self.first
        self._state[key] = (pause, now + pause)
        return pause
