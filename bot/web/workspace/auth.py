"""Logging in and out of the workspace: throttle with backoff, Argon2 check, sessions, audit.

A session is a random token (cookie ``banbot_ws`` for pages, ``Authorization: Bearer`` for
the API); only its SHA-256 is stored. It ends after ``session_hours`` at most, or after
``session_idle_minutes`` unused. Failed logins are counted per username (whether or not it
exists, so a lock confirms nothing) and per address; past the threshold the key is locked for
``lockout_base_seconds`` doubled per further failure, up to ``lockout_max_seconds``. While a
key is locked no password is checked at all.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import WorkspaceSettings
from bot.store.records import WebUserRecord
from bot.store.repo import Store, Tx
from bot.store.triage import Scope
from bot.web.workspace.passwords import hash_password, needs_rehash, verify_password
from bot.web.workspace.workflow import RoleRule, Workflow

TOUCH_EVERY = timedelta(seconds=60)  # a busy page does not write on every request


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    """The logged-in user of one request, with what their role allows."""

    user: WebUserRecord
    rule: RoleRule
    csrf: str
    token_hash: str

    @property
    def actor(self) -> str:
        """How the store and the audit log name this person: ``user:<id>``."""
        return f"user:{self.user.id}"

    @property
    def scope(self) -> Scope:
        if self.rule.see == "everything":
            return Scope(everything=True)
        if self.rule.see == "village":
            return Scope(village_id=self.user.village_id or "", commune_code=None)
        return Scope(commune_code=self.user.commune_code or "")


@dataclass(frozen=True, slots=True)
class LoginResult:
    """``token`` and ``csrf`` on success; otherwise ``locked_until`` says whether a lock
    (not the password) refused it."""

    user: WebUserRecord | None = None
    token: str | None = None
    csrf: str | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.token is not None


def _lock_for(failures: int, threshold: int, cfg: WorkspaceSettings) -> timedelta | None:
    if failures < threshold:
        return None
    seconds = cfg.lockout_base_seconds * 2 ** min(failures - threshold, 20)
    return timedelta(seconds=min(seconds, cfg.lockout_max_seconds))


async def login(
    store: Store,
    cfg: WorkspaceSettings,
    *,
    username: str,
    password: str,
    ip: str | None,
    now: datetime,
) -> LoginResult:
    """Check a username and password; on success open a session. Every attempt is audited."""
    username = username.strip()
    keys = {f"user:{username.lower()}": cfg.lockout_after}
    if ip:
        keys[f"ip:{ip}"] = cfg.lockout_ip_after
    async with store.transaction() as tx:
        for key in keys:
            locked_until = (await tx.users.throttle(key)).locked_until
            if locked_until is not None and locked_until > now:
                detail = {"key": key.partition(":")[0], "until": locked_until.isoformat()}
                await tx.audit.record(
                    actor=f"login:{username}", action="login.locked", ip=ip, detail=detail
                )
                return LoginResult(locked_until=locked_until)
        found = await tx.users.password_hash(username)
        user, stored = found if found is not None else (None, None)
        usable = user is not None and not user.disabled
        if not verify_password(stored if usable else None, password) or user is None:
            await _failed(tx, cfg, keys, username=username, ip=ip, now=now)
            return LoginResult()
        if stored is not None and needs_rehash(stored):
            await tx.users.set_password_hash(user.id, hash_password(password))
        await tx.users.clear_failures(f"user:{username.lower()}")
        await tx.users.purge_sessions(now=now)  # expired ones, anyone's: a login is rare enough
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        expires = min(now + timedelta(hours=cfg.session_hours),
                      now + timedelta(minutes=cfg.session_idle_minutes))  # fmt: skip
        await tx.users.open_session(
            user.id, token_hash=token_hash(token), csrf=csrf, ip=ip, expires_at=expires, now=now
        )
        await tx.audit.record(
            actor=f"user:{user.id}", action="login", target=f"user:{user.username}", ip=ip
        )
    return LoginResult(user=user, token=token, csrf=csrf)


async def _failed(
    tx: Tx,
    cfg: WorkspaceSettings,
    keys: dict[str, int],
    *,
    username: str,
    ip: str | None,
    now: datetime,
) -> None:
    locked: dict[str, str] = {}
    for key, threshold in keys.items():
        failures = await tx.users.record_failure(key)
        span = _lock_for(failures, threshold, cfg)
        if span is not None:
            await tx.users.lock(key, now + span)
            locked[key.partition(":")[0]] = (now + span).isoformat()
    await tx.audit.record(
        actor=f"login:{username}",
        action="login.failed",
        ip=ip,
        detail={"locked": locked} if locked else None,
    )


async def authenticate(
    store: Store, cfg: WorkspaceSettings, workflow: Workflow, token: str, *, now: datetime
) -> Principal | None:
    """The principal for a session token, or None (unknown, expired, user disabled)."""
    hashed = token_hash(token)
    async with store.transaction() as tx:
        found = await tx.users.session(hashed, now=now)
        if found is None:
            return None
        if now - found.last_seen_at >= TOUCH_EVERY:
            limit = found.created_at + timedelta(hours=cfg.session_hours)
            expires = min(limit, now + timedelta(minutes=cfg.session_idle_minutes))
            await tx.users.touch_session(hashed, now=now, expires_at=expires)
    return Principal(found.user, workflow.role(found.user.role), found.csrf, hashed)


async def logout(store: Store, principal: Principal, *, ip: str | None) -> None:
    async with store.transaction() as tx:
        await tx.users.close_session(principal.token_hash)
        await tx.audit.record(actor=principal.actor, action="logout", ip=ip)
