"""The OA access token and its single-use, rotating refresh token, shared through ChannelState.

Zalo's refresh token works exactly once: refreshing returns a new access token *and* a new
refresh token, and the old one is dead. Two workers that refresh at once would both spend it;
one wins, the other holds a dead pair, and the OA is cut off until someone re-authorises. So:

- the pair lives in ``ChannelState`` under ``zalo:oa_token`` with a ``generation`` that grows
  on every successful refresh; it is seeded from settings on first use (and re-seeded when the
  operator puts a *different* refresh token in the settings);
- a refresher first **claims a lease** by compare-and-set (``lease_until``); only the winner
  calls Zalo, then writes the new pair and drops the lease in one more compare-and-set;
- everyone else (other coroutines, other processes) waits for the generation to change and uses
  the new token. A holder that died leaves a lease that expires after ``lease_seconds``; if it
  died after Zalo answered, the pair is lost and the OA must be re-authorised (logged).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.channels.base import SendError
from bot.ports import ChannelState

log = logging.getLogger(__name__)
TOKEN_KEY = "zalo:oa_token"  # noqa: S105  # a storage key, not a secret
EXPIRY_SKEW = 60.0  # refresh this long before the stated expiry
REUSE_SECONDS = 5.0  # a token read from the shared state is used this long without a re-read


@dataclass(frozen=True, slots=True)
class Grant:
    """What the OAuth endpoint returned."""

    access_token: str
    refresh_token: str
    expires_in: float | None


Refresher = Callable[[str], Awaitable[Grant]]


def _fingerprint(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16]


class TokenKeeper:
    """Hands out the current access token and refreshes it at most once per generation."""

    def __init__(
        self,
        state: ChannelState,
        seed_access: str | None,
        seed_refresh: str | None,
        refresher: Refresher,
        clock: Callable[[], float],
        *,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.2,
    ) -> None:
        self._state = state
        self._seed = (seed_access or "", seed_refresh or "")
        self._refresher = refresher
        self._clock = clock
        self._lease = lease_seconds
        self._poll = poll_seconds
        self._lock = asyncio.Lock()  # one refresher per process; the lease covers the rest
        # (until, token, generation): a notice sends 100 messages a second, and reading the
        # shared state for each cost a database round trip; a token another process has
        # replaced meanwhile is rejected by Zalo and the refresh path reads the new one
        self._recent: tuple[float, str, int] | None = None

    async def current(self) -> tuple[str, int]:
        """``(access token, generation)``, refreshing first if the token is known expired."""
        now = self._clock()
        if self._recent is not None and now < self._recent[0]:
            return self._recent[1], self._recent[2]
        value, _ = await self._load()
        expires_at = value.get("expires_at")
        if expires_at is not None and now >= float(expires_at) - EXPIRY_SKEW:
            return await self.refresh(int(value["generation"]))
        token, generation = str(value["access_token"]), int(value["generation"])
        until = now + REUSE_SECONDS
        if expires_at is not None:
            until = min(until, float(expires_at) - EXPIRY_SKEW)
        self._recent = (until, token, generation)
        return token, generation

    async def refresh(self, stale_generation: int) -> tuple[str, int]:
        """A token newer than ``stale_generation``: someone else's, or one we refresh now."""
        self._recent = None
        async with self._lock:
            deadline = self._clock() + self._lease + 5
            while True:
                value, version = await self._load()
                leased = float(value.get("lease_until") or 0) > self._clock()
                if int(value["generation"]) != stale_generation and not leased:
                    return str(value["access_token"]), int(value["generation"])
                if leased:
                    if self._clock() > deadline:
                        raise SendError("retryable", "Zalo token refresh still in progress")
                    await asyncio.sleep(self._poll)
                    continue
                claim = {**value, "lease_until": self._clock() + self._lease}
                if await self._state.put(TOKEN_KEY, claim, expected_version=version):
                    return await self._spend(claim, version + 1)

    async def _spend(self, claimed: dict[str, Any], version: int) -> tuple[str, int]:
        try:
            grant = await self._refresher(str(claimed["refresh_token"]))
        except BaseException:
            await self._write({**claimed, "lease_until": None}, version, only_if_same=True)
            raise
        generation = int(claimed["generation"]) + 1
        expires_at = None if grant.expires_in is None else self._clock() + grant.expires_in
        new = {
            **claimed,
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "expires_at": expires_at,
            "generation": generation,
            "lease_until": None,
        }
        await self._write(new, version, only_if_same=False)
        log.info("Zalo OA access token refreshed (generation %d)", generation)
        return grant.access_token, generation

    async def _write(self, value: dict[str, Any], version: int, *, only_if_same: bool) -> None:
        """Write ``value``; the new pair is the only live one, so it must land even if late."""
        while not await self._state.put(TOKEN_KEY, value, expected_version=version):
            found = await self._state.get(TOKEN_KEY)
            if found is None or only_if_same:
                return
            version = found[1]

    async def _load(self) -> tuple[dict[str, Any], int]:
        access, refresh = self._seed
        while True:
            found = await self._state.get(TOKEN_KEY)
            seed_changed = bool(refresh) and (
                found is not None and found[0].get("seed") != _fingerprint(refresh)
            )
            if found is not None and not seed_changed:
                return found
            if not access and not refresh:
                raise SendError("permanent", "Zalo OA tokens are not configured", code="zalo_auth")
            seeded = {
                "access_token": access,
                "refresh_token": refresh,
                "expires_at": None,
                "generation": int(found[0]["generation"]) + 1 if found else 0,
                "lease_until": None,
                "seed": _fingerprint(refresh) if refresh else None,
            }
            if await self._state.put(
                TOKEN_KEY, seeded, expected_version=found[1] if found else None
            ):
                log.info("Zalo OA tokens seeded from settings")
