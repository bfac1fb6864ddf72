"""Saved eligibility self-checks: what a resident answered and which class it gave."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import EligibilityCheck
from bot.store.types import utcnow


class EligibilityRepo:
    """Eligibility checks inside one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def save(
        self,
        *,
        contact_id: int,
        standard: str,
        area: str,
        income: int,
        household_size: int | None,
        deprived: Sequence[str],
        klass: str,
        village_id: str | None = None,
    ) -> int:
        """Record one completed check; returns its id. ``income`` is VND as the flow asked it."""
        row = EligibilityCheck(
            contact_id=contact_id,
            standard=standard,
            area=area,
            income=income,
            household_size=household_size,
            deprived=list(deprived),
            klass=klass,
            village_id=village_id,
            created_at=utcnow(),
        )
        self._s.add(row)
        await self._s.flush()
        return row.id
