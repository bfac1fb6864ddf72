"""The workspace on a whole bot (embedded defaults): two communes' users, reports, a client.

Communes: phường Chiềng An (03664, villages Nam Niệu and Panh) and xã Mai Sơn (04105,
tiểu khu 4). The resident messenger is a recording fake; the clock is frozen and movable.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import App
from bot.config import Settings
from bot.store.records import ReportRecord, WebUserRecord
from bot.web.app import create_app
from bot.web.workspace.messenger import RecordingMessenger
from bot.web.workspace.passwords import hash_password
from tests.conftest import make_settings

CHIENG_AN, MAI_SON = "03664", "04105"
NAM_NIEU, PANH, TIEU_KHU_4 = "03664:nam niệu", "03664:panh", "04105:4"
PASSWORD = "mat-khau-du-dai-1"
BASE = "http://ws.test"


class Clock:
    """A frozen clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class Env:
    bot: App
    client: httpx.AsyncClient
    messenger: RecordingMessenger
    clock: Clock
    users: dict[str, WebUserRecord] = field(default_factory=dict)

    async def user(
        self, username: str, role: str, commune: str | None = None, village: str | None = None
    ) -> WebUserRecord:
        async with self.bot.store.transaction() as tx:
            user = await tx.users.add(
                username=username, password_hash=hash_password(PASSWORD), role=role,
                commune_code=commune, village_id=village,
            )  # fmt: skip
        self.users[username] = user
        return user

    async def report(
        self,
        *,
        commune: str | None = CHIENG_AN,
        village: str | None = NAM_NIEU,
        kind: str = "disaster",
        urn: str | None = None,
        **kw: Any,
    ) -> ReportRecord:
        """A resident's report straight into the store (the pipeline has its own tests)."""
        details = kw.pop("details", None)
        if details is None and kind == "disaster":
            details = {"hazard": "flood", "people": 4, "vulnerable": ["elderly"],
                       "house_state": "flooded", "danger_now": False,
                       "urgency_reasons": ["hazard:flood", "house_state:flooded"]}  # fmt: skip
        async with self.bot.store.transaction() as tx:
            contact = await tx.contacts.get_or_create(
                urn or f"sim:r{len(self.users)}-{datetime.now(UTC).timestamp()}", "sim", "vi"
            )
            return await tx.reports.create(
                contact_id=contact.id, type=kind, commune_code=commune, village_id=village,
                subtype=kw.pop("subtype", "flood" if kind == "disaster" else None),
                details=details or {}, **kw,
            )  # fmt: skip

    async def token(self, username: str, password: str = PASSWORD) -> str:
        r = await self.client.post(
            "/api/v1/session", json={"username": username, "password": password}
        )
        assert r.status_code == 200, r.text
        self.client.cookies.clear()  # API tests use the Bearer token only
        return str(r.json()["token"])

    async def page_login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        """Log in through the form (CSRF cookie and field), as a browser does."""
        form = await self.client.get("/ws/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        return await self.client.post(
            "/ws/login",
            data={
                "username": username,
                "password": password,
                "csrf": csrf.group(1),
                "next": "/ws/",
            },
        )

    async def csrf(self, path: str = "/ws/") -> str:
        """The session's CSRF token, read from a page as a browser would."""
        page = await self.client.get(path)
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None, page.text[:500]
        return found.group(1)


def build_api(bot: App, messenger: RecordingMessenger, clock: Clock) -> Any:
    api = create_app(app_obj=bot, messenger=messenger)
    api.state.bot = bot  # ASGITransport does not run the lifespan
    api.state.ws_clock = clock
    return api


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Env]:
    """A whole bot on ``settings`` with the workspace's client, messenger and clock."""
    from bot.app import build_app

    bot = await build_app(settings)
    messenger, clock = RecordingMessenger(), Clock()
    transport = httpx.ASGITransport(app=build_api(bot, messenger, clock))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            yield Env(bot, client, messenger, clock)
    finally:
        await bot.aclose()


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with running(make_settings(tmp_path)) as found:
        yield found
