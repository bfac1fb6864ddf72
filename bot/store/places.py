"""The gazetteer in SQL: communes, villages and former (pre-2025) units, upserted from CSV data.

The running bot matches places in memory (``PlaceLookup``); this table copy lets officers'
corrections and reports join against place names, and lets the lookup be rebuilt from SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.places import AreaType, Commune, Village
from bot.store.models import CommunePredecessor, CommuneRow, VillageRow
from bot.store.types import nfc_deep, utcnow

Predecessor = tuple[str, str, str]
"""(former_name, former_district, commune_code)."""


class PlaceRepo:
    """Places inside one transaction. Upserts are idempotent: a second run changes nothing."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def upsert_communes(self, communes: Iterable[Commune]) -> int:
        """Insert new communes, update changed ones by code; returns how many were new.

        ``Commune.predecessors`` is not stored here; use :meth:`add_predecessors`.
        """
        existing = {r.code: r for r in await self._s.scalars(select(CommuneRow))}
        new = 0
        for c in communes:
            values = nfc_deep(
                {
                    "name": c.name,
                    "type": c.type,
                    "province": c.province,
                    "province_code": c.province_code,
                    "area_type": c.area_type,
                    "area_confidence": c.area_confidence,
                }
            )
            row = existing.get(c.code)
            if row is None:
                row = existing[c.code] = CommuneRow(code=c.code, **values)
                self._s.add(row)
                new += 1
            else:
                for key, value in values.items():
                    setattr(row, key, value)
        await self._s.flush()
        return new

    async def upsert_villages(self, villages: Iterable[Village], source: str) -> int:
        """Insert new villages, update changed ones by id; returns how many were new.

        Every village's commune must already be stored (foreign key).
        """
        existing = {r.id: r for r in await self._s.scalars(select(VillageRow))}
        new = 0
        for v in villages:
            values = nfc_deep(
                {
                    "commune_code": v.commune_code,
                    "name": v.name,
                    "display_name": v.display_name,
                    "village_type": v.village_type,
                    "confidence": v.confidence,
                    "source": source,
                }
            )
            row = existing.get(v.id)
            if row is None:
                row = existing[v.id] = VillageRow(id=nfc_deep(v.id), created_at=utcnow(), **values)
                self._s.add(row)
                new += 1
            else:
                for key, value in values.items():
                    setattr(row, key, value)
        await self._s.flush()
        return new

    async def add_predecessors(self, rows: Iterable[Predecessor]) -> int:
        """Add (former_name, former_district, commune_code) rows not yet stored; returns count."""
        seen = {
            (p.former_name, p.former_district, p.commune_code)
            for p in await self._s.scalars(select(CommunePredecessor))
        }
        new = 0
        for row in rows:
            key = cast(Predecessor, tuple(nfc_deep(list(row))))
            if key in seen:
                continue
            seen.add(key)
            self._s.add(
                CommunePredecessor(former_name=key[0], former_district=key[1], commune_code=key[2])
            )
            new += 1
        await self._s.flush()
        return new

    async def load(self) -> tuple[list[Commune], list[Village], list[Predecessor]]:
        """Everything stored: communes by code, villages by id, predecessor rows sorted."""
        communes = [
            Commune(
                code=r.code,
                name=r.name,
                type=cast(Literal["xa", "phuong"], r.type),
                province=r.province,
                province_code=r.province_code,
                area_type=cast(AreaType, r.area_type),
                area_confidence=r.area_confidence,
            )
            for r in await self._s.scalars(select(CommuneRow).order_by(CommuneRow.code))
        ]
        villages = [
            Village(
                id=r.id,
                name=r.name,
                display_name=r.display_name,
                village_type=r.village_type,
                commune_code=r.commune_code,
                confidence=r.confidence,
            )
            for r in await self._s.scalars(select(VillageRow).order_by(VillageRow.id))
        ]
        predecessors = sorted(
            (p.former_name, p.former_district, p.commune_code)
            for p in await self._s.scalars(select(CommunePredecessor))
        )
        return communes, villages, predecessors
