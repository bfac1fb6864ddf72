"""What a committed transaction leaves for the queue: an outbound message to send, a job to run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

WorkKind = Literal["send", "job"]


@dataclass(frozen=True, slots=True)
class Work:
    """``send`` outbound message ``id`` / run job ``id``, in ``lane`` ("reply" or "bulk"),
    not before ``at`` (None: now)."""

    what: WorkKind
    id: int
    lane: str = "reply"
    at: datetime | None = None
