"""Workspace logins: users, their sessions, and the failed-login throttle.

Passwords arrive here already hashed (:mod:`bot.web.workspace.passwords`); session tokens
arrive as their SHA-256 hex digest, so a copy of the database opens no session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import LoginThrottle, WebSession, WebUser
from bot.store.records import WEB_ROLES, NotFound, WebUserRecord
from bot.store.types import nfc_deep, utcnow


def _record(row: WebUser) -> WebUserRecord:
    return WebUserRecord(
        id=row.id,
        username=row.username,
        role=row.role,
        commune_code=row.commune_code,
        village_id=row.village_id,
        display_name=row.display_name,
        disabled=row.disabled,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
        contact_id=row.contact_id,
    )


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A live session with its user; ``csrf`` is the token every form must echo."""

    user: WebUserRecord
    csrf: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Throttle:
    """Failed logins counted for one key, and until when it is locked (None: not locked)."""

    failures: int
    locked_until: datetime | None


class UserRepo:
    """Workspace users, sessions and login throttle inside one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    # -- users --------------------------------------------------------------------------------

    async def add(
        self,
        *,
        username: str,
        password_hash: str,
        role: str,
        commune_code: str | None = None,
        village_id: str | None = None,
        display_name: str | None = None,
    ) -> WebUserRecord:
        """Create a user. ValueError on an unknown role, a missing binding for the role
        (officer: commune; head: village and commune) or a username already taken."""
        if role not in WEB_ROLES:
            raise ValueError(f"unknown role {role!r}")
        if role in ("officer", "head") and not commune_code:
            raise ValueError(f"a {role} needs a commune")
        if role == "head" and not village_id:
            raise ValueError("a head needs a village")
        if role == "admin" and (commune_code or village_id):
            raise ValueError("an admin is bound to no commune or village")
        if await self.by_username(username) is not None:
            raise ValueError(f"username {username!r} is taken")
        now = utcnow()
        row = WebUser(
            username=username,
            password_hash=password_hash,
            role=role,
            commune_code=commune_code,
            village_id=village_id,
            display_name=None if display_name is None else nfc_deep(display_name),
            disabled=False,
            created_at=now,
            updated_at=now,
        )
        self._s.add(row)
        await self._s.flush()
        return _record(row)

    async def by_username(self, username: str) -> WebUserRecord | None:
        row = await self._s.scalar(select(WebUser).where(WebUser.username == username))
        return None if row is None else _record(row)

    async def get(self, user_id: int) -> WebUserRecord | None:
        row = await self._s.get(WebUser, user_id)
        return None if row is None else _record(row)

    async def password_hash(self, username: str) -> tuple[WebUserRecord, str] | None:
        """The user and their stored hash, for checking a login; None if unknown."""
        row = await self._s.scalar(select(WebUser).where(WebUser.username == username))
        return None if row is None else (_record(row), row.password_hash)

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace the hash (a rehash with new parameters, or a new password)."""
        row = await self._must(user_id)
        row.password_hash = password_hash
        row.updated_at = utcnow()
        await self._s.flush()

    async def link_contact(self, user_id: int, contact_id: int | None) -> WebUserRecord:
        """Alerts for this account go to ``contact_id`` (its owner sent the bot a code)."""
        row = await self._s.get(WebUser, user_id)
        if row is None:
            raise NotFound(f"user {user_id}")
        row.contact_id = contact_id
        await self._s.flush()
        return _record(row)

    async def of_contact(self, contact_id: int) -> WebUserRecord | None:
        """The workspace account whose phone is ``contact_id``, if any."""
        row = await self._s.scalar(select(WebUser).where(WebUser.contact_id == contact_id))
        return None if row is None else _record(row)

    async def all(self) -> list[WebUserRecord]:
        rows = await self._s.scalars(select(WebUser).order_by(WebUser.username))
        return [_record(r) for r in rows]

    async def of_commune(self, commune_code: str) -> list[WebUserRecord]:
        """Active officers and heads of a commune (people a report can be assigned to)."""
        rows = await self._s.scalars(
            select(WebUser)
            .where(WebUser.commune_code == commune_code, WebUser.disabled.is_(False))
            .order_by(WebUser.username)
        )
        return [_record(r) for r in rows]

    async def set_disabled(self, username: str, disabled: bool = True) -> WebUserRecord:
        """Disable (or enable) a user; disabling also ends every session. NotFound if unknown."""
        row = await self._s.scalar(select(WebUser).where(WebUser.username == username))
        if row is None:
            raise NotFound(f"user {username}")
        row.disabled = disabled
        row.updated_at = utcnow()
        if disabled:
            await self.end_sessions(row.id)
        await self._s.flush()
        return _record(row)

    # -- sessions -----------------------------------------------------------------------------

    async def open_session(
        self,
        user_id: int,
        *,
        token_hash: str,
        csrf: str,
        ip: str | None,
        expires_at: datetime,
        now: datetime | None = None,
    ) -> None:
        """Start a session (at ``now``, default the real time) and note the login time."""
        now = now or utcnow()
        user = await self._must(user_id)
        user.last_login_at = now
        self._s.add(
            WebSession(
                token_hash=token_hash,
                user_id=user_id,
                csrf=csrf,
                ip=ip,
                created_at=now,
                last_seen_at=now,
                expires_at=expires_at,
            )
        )
        await self._s.flush()

    async def session(self, token_hash: str, *, now: datetime) -> SessionRecord | None:
        """The live session for a token hash: None if unknown, expired or its user disabled."""
        found = (
            await self._s.execute(
                select(WebSession, WebUser)
                .join(WebUser, WebUser.id == WebSession.user_id)
                .where(WebSession.token_hash == token_hash)
            )
        ).first()
        if found is None:
            return None
        sess, user = found
        if user.disabled or sess.expires_at <= now:
            return None
        return SessionRecord(
            user=_record(user),
            csrf=sess.csrf,
            created_at=sess.created_at,
            last_seen_at=sess.last_seen_at,
            expires_at=sess.expires_at,
        )

    async def touch_session(self, token_hash: str, *, now: datetime, expires_at: datetime) -> None:
        """Note activity on a session and move its idle expiry."""
        sess = await self._s.get(WebSession, token_hash)
        if sess is not None:
            sess.last_seen_at = now
            sess.expires_at = expires_at
            await self._s.flush()

    async def close_session(self, token_hash: str) -> bool:
        """End one session (logout); True if it existed."""
        result = await self._s.execute(
            delete(WebSession).where(WebSession.token_hash == token_hash)
        )
        return bool(getattr(result, "rowcount", 0))

    async def end_sessions(self, user_id: int) -> None:
        """End every session of a user (new password, disabled account)."""
        await self._s.execute(delete(WebSession).where(WebSession.user_id == user_id))

    async def purge_sessions(self, *, now: datetime) -> int:
        """Delete expired sessions; returns how many."""
        result = await self._s.execute(delete(WebSession).where(WebSession.expires_at <= now))
        return int(getattr(result, "rowcount", 0) or 0)

    # -- throttle -----------------------------------------------------------------------------

    async def throttle(self, key: str) -> Throttle:
        row = await self._s.get(LoginThrottle, key)
        return Throttle(0, None) if row is None else Throttle(row.failures, row.locked_until)

    async def record_failure(self, key: str) -> int:
        """Count one more failure for ``key``; returns the new count (see :meth:`lock`)."""
        row = await self._s.get(LoginThrottle, key)
        now = utcnow()
        if row is None:
            row = LoginThrottle(key=key, failures=0, updated_at=now)
            self._s.add(row)
        row.failures += 1
        row.updated_at = now
        await self._s.flush()
        return row.failures

    async def lock(self, key: str, until: datetime) -> None:
        row = await self._s.get(LoginThrottle, key)
        if row is not None:
            row.locked_until = until
            await self._s.flush()

    async def clear_failures(self, key: str) -> None:
        await self._s.execute(delete(LoginThrottle).where(LoginThrottle.key == key))

    async def _must(self, user_id: int) -> WebUser:
        row = await self._s.get(WebUser, user_id)
        if row is None:
            raise NotFound(f"user {user_id}")
        return row
