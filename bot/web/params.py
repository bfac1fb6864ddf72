"""Whole numbers a request may carry (ids, offsets, positions), bounded to what a database
column holds — an ``INTEGER`` id column, 32 bits on PostgreSQL: 2**63 was an OverflowError in
the SQLite driver and 2**31 an asyncpg range error, both a 500 (schemathesis found them at
``/sim/outbox/{user}?after=...``). Out of range is a 422 like any other bad field."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

SQL_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the id columns' type

RowId = Annotated[int, Interval(ge=0, le=SQL_INT_MAX)]
"""A row id or a position after one (0: before the first)."""

Count = Annotated[int, Interval(ge=-SQL_INT_MAX, le=SQL_INT_MAX)]
"""An offset or a limit, clamped by the route (a negative one means the smallest)."""
