"""What a committed transaction leaves for the queue.

- ``send``: one message of the ``reply`` lane (``id``: the outbound message), sent on its own;
- ``pump``: the ``bulk`` lane of one adapter has messages waiting (``adapter``): a pump sends
  them in order at the adapter's rate (one queue item for thousands of messages);
- ``job``: a job row to run (``id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

WorkKind = Literal["send", "pump", "job"]


@dataclass(frozen=True, slots=True)
class Work:
    """One item for the queue; ``at``: not before (None: now)."""

    what: WorkKind
    id: int
    lane: str = "reply"
    at: datetime | None = None
    adapter: str | None = None

    @property
    def key(self) -> str:
        """The queue's identity of this item (queueing it twice runs it once)."""
        if self.what == "pump":
            return f"pump:{self.adapter}:{self.id}"
        return f"{self.what}:{self.id}"
