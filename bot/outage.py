"""Which errors mean "a service we depend on is down" (the database, Redis), as opposed to a
bug or bad input: the code that can wait for the service (the inbound spool, the limiters
that fail open) asks :func:`is_outage`."""

from __future__ import annotations

import redis.exceptions
import sqlalchemy.exc


def is_outage(exc: BaseException) -> bool:
    """True if ``exc`` (or what caused it) says the database or Redis cannot be reached, as
    opposed to a bug or bad input: only those messages are worth keeping to try again."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(
            current,
            ConnectionError
            | OSError
            | TimeoutError
            | sqlalchemy.exc.OperationalError
            | sqlalchemy.exc.InterfaceError
            | sqlalchemy.exc.DisconnectionError
            | sqlalchemy.exc.TimeoutError
            | redis.exceptions.ConnectionError
            | redis.exceptions.TimeoutError
            | redis.exceptions.BusyLoadingError,
        ):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False
