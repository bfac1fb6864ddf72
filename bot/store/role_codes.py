"""One-time role codes: an officer or admin issues one, the person sends it to the bot.

A code looks like ``VT-7K3Q-9MXA`` (vai trò: role; :mod:`bot.domain.roles`), ≈ 8.5·10¹¹
codes, typed by hand on a feature phone. Only its SHA-256 is stored. A code grants exactly
one role at one place, expires, and works once: redeeming is one ``UPDATE ... WHERE used_at IS
NULL AND expires_at > now``, so two people racing with the same code cannot both win.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.roles import ALPHABET, CODE_LENGTH, CODE_PREFIX, ROLES, normalize_code
from bot.store.models import RoleCodeRow
from bot.store.records import RoleCodeRecord
from bot.store.types import utcnow

GRANTABLE: Final = tuple(r for r in ROLES if r != "resident")

Refusal = Literal["unknown", "used", "expired"]


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Redeemed:
    """The outcome of sending a code: the grant, or why it was refused."""

    grant: RoleCodeRecord | None
    refusal: Refusal | None = None


def _record(row: RoleCodeRow) -> RoleCodeRecord:
    return RoleCodeRecord(
        id=row.id, role=row.role, commune_code=row.commune_code, village_id=row.village_id,
        user_id=row.user_id, issued_by=row.issued_by, created_at=row.created_at,
        expires_at=row.expires_at, used_at=row.used_at, used_by=row.used_by,
    )  # fmt: skip


class RoleCodeRepo:
    """Role codes inside one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def issue(
        self,
        *,
        role: str,
        issued_by: str,
        ttl: timedelta,
        commune_code: str | None = None,
        village_id: str | None = None,
        user_id: int | None = None,
        now: datetime | None = None,
    ) -> tuple[str, RoleCodeRecord]:
        """A new code (shown once, never stored) and its record.

        ValueError unless: ``head`` has a village, ``officer`` a commune, ``admin`` neither
        needs one; the role is one that can be granted; ``ttl`` is positive.
        """
        if role not in GRANTABLE:
            raise ValueError(f"role {role!r} cannot be granted")
        if role == "head" and not village_id:
            raise ValueError("a head's code needs a village")
        if role == "officer" and not commune_code:
            raise ValueError("an officer's code needs a commune")
        if ttl <= timedelta(0):
            raise ValueError("a code must live a positive time")
        now = now or utcnow()
        while True:
            body = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            code = f"{CODE_PREFIX}-{body[:4]}-{body[4:]}"
            taken = await self._s.scalar(
                select(RoleCodeRow.id).where(RoleCodeRow.code_hash == _hash(code))
            )
            if taken is None:
                break
        row = RoleCodeRow(
            code_hash=_hash(code), role=role, commune_code=commune_code, village_id=village_id,
            user_id=user_id, issued_by=issued_by, created_at=now, expires_at=now + ttl,
        )  # fmt: skip
        self._s.add(row)
        await self._s.flush()
        return code, _record(row)

    async def redeem(self, text: str, contact_id: int, *, now: datetime | None = None) -> Redeemed:
        """Use the code in ``text`` for ``contact_id``: once, before it expires."""
        code = normalize_code(text)
        if code is None:
            return Redeemed(None, "unknown")
        now = now or utcnow()
        moved = await self._s.execute(
            update(RoleCodeRow)
            .where(
                RoleCodeRow.code_hash == _hash(code),
                RoleCodeRow.used_at.is_(None),
                RoleCodeRow.expires_at > now,
            )
            .values(used_at=now, used_by=contact_id)
            .execution_options(synchronize_session=False)
        )
        row = await self._s.scalar(
            select(RoleCodeRow)
            .where(RoleCodeRow.code_hash == _hash(code))
            .execution_options(populate_existing=True)
        )
        if row is None:
            return Redeemed(None, "unknown")
        if cast(CursorResult[Any], moved).rowcount:
            return Redeemed(_record(row))
        return Redeemed(_record(row), "used" if row.used_at is not None else "expired")

    async def peek(self, text: str) -> RoleCodeRecord | None:
        """The code in ``text`` as stored, without using it (None: no such code)."""
        code = normalize_code(text)
        if code is None:
            return None
        row = await self._s.scalar(select(RoleCodeRow).where(RoleCodeRow.code_hash == _hash(code)))
        return None if row is None else _record(row)

    async def recent(self, limit: int = 50) -> list[RoleCodeRecord]:
        rows = await self._s.scalars(
            select(RoleCodeRow).order_by(RoleCodeRow.created_at.desc()).limit(limit)
        )
        return [_record(r) for r in rows]
