"""How often and how long to retry a failed send."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retryable errors: up to ``max_attempts`` sends in all, exponential backoff with jitter.

    Throttling (429) is not the message's fault: it waits ``retry_after`` and does not count
    as an attempt, but gives up after ``max_throttled`` throttles so a queue cannot spin forever.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 60.0
    max_throttled: int = 8

    def delay(self, attempt: int, rand: float) -> float:
        """Seconds before retry number ``attempt`` (1-based); ``rand`` in [0, 1).

        "Equal jitter": half the exponential step is fixed, half random, so retries of many
        messages after one outage spread out but never come back at once.
        """
        step = min(self.max_delay, self.base_delay * 2.0 ** max(0, attempt - 1))
        return step / 2 + rand * step / 2
