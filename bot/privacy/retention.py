"""Retention: the settings' days per kind of record as cut-off times, and one purge."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.config import RetentionSettings
from bot.store.privacy import Cutoffs, PurgeCounts
from bot.store.repo import Tx

log = logging.getLogger(__name__)


def cutoffs(retention: RetentionSettings, now: datetime) -> Cutoffs:
    """What is older than these times has outlived its retention (0 days: kept for ever)."""

    def before(days: int) -> datetime | None:
        return now - timedelta(days=days) if days > 0 else None

    return Cutoffs(
        inbound_before=before(retention.inbound_message_days),
        outbound_before=before(retention.outbound_message_days),
        closed_reports_before=before(retention.closed_report_days),
    )


async def purge(
    tx: Tx, retention: RetentionSettings, now: datetime, *, dry_run: bool = False
) -> PurgeCounts:
    """Apply the retention in ``tx``; a real run is audited (``privacy.purged``, counts only)."""
    counts = await tx.privacy.purge(cutoffs(retention, now), dry_run=dry_run)
    if not dry_run:
        await tx.audit.record(actor="system", action="privacy.purged", detail=counts.as_json())
        log.info("retention purge: %s", counts.as_json())
    return counts
