"""SQL store: SQLAlchemy 2 async models, Alembic migrations and repositories.

Public API: :class:`Store` (``transaction()`` -> :class:`Tx`), :func:`upgrade_database`, and the
frozen records in :mod:`bot.store.records`.
"""

from bot.store.migrate import upgrade_database
from bot.store.records import (
    ContactRecord,
    NotFound,
    OutboundRecord,
    ReportEvent,
    ReportRecord,
)
from bot.store.repo import Store, Tx

__all__ = [
    "ContactRecord",
    "NotFound",
    "OutboundRecord",
    "ReportEvent",
    "ReportRecord",
    "Store",
    "Tx",
    "upgrade_database",
]
