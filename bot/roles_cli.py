"""``banbot users invite``: a one-time code that makes whoever sends it to the bot the head of
a village, an officer of a commune or an admin. The code is printed once and never stored
(only its hash); it works once and expires (``BANBOT_ROLE_CODE_TTL_HOURS``)."""

from __future__ import annotations

import asyncio
import getpass
from datetime import timedelta
from typing import TYPE_CHECKING

import click

from bot.config import get_settings

if TYPE_CHECKING:
    from bot.places.gazetteer import Gazetteer


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (containers)
        return "cli:unknown"


@click.command("invite")
@click.option("--role", required=True, type=click.Choice(["head", "officer", "admin"]))
@click.option(
    "--village",
    default=None,
    help='Village id as the gazetteer stores it, e.g. "03664:nam niệu" (head).',
)
@click.option("--commune", default=None, help="Commune code, e.g. 03664 (officer).")
@click.option(
    "--hours", type=click.IntRange(1, 24 * 30), default=None, help="Valid for (default: settings)."
)
def invite(role: str, village: str | None, commune: str | None, hours: int | None) -> None:
    """Print a one-time role code (send it to the bot on any channel)."""
    from bot.app import prepare_database
    from bot.places.load import load_gazetteer
    from bot.store.repo import Store

    settings = get_settings()
    ttl = timedelta(hours=hours or settings.role_code_ttl_hours)

    async def run() -> tuple[str, str, str]:
        await prepare_database(settings)
        store = Store(settings.database_url)
        try:
            places = await load_gazetteer(store)
            target, where = _place(places, role, village, commune)
            async with store.transaction() as tx:
                code, rec = await tx.role_codes.issue(
                    role=role, issued_by=_actor(), ttl=ttl,
                    village_id=village if role == "head" else None,
                    commune_code=commune if role == "officer" else None,
                )  # fmt: skip
                await tx.audit.record(
                    actor=_actor(), action="role.code_issued", target=target,
                    detail={"role": role, "code_id": rec.id, "hours": ttl.total_seconds() / 3600},
                )  # fmt: skip
            return code, where, rec.expires_at.isoformat(timespec="minutes")
        finally:
            await store.close()

    try:
        code, where, until = asyncio.run(run())
    except LookupError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(code)
    click.echo(f"{role} {where}; valid until {until} UTC; works once", err=True)


def _place(
    places: Gazetteer, role: str, village: str | None, commune: str | None
) -> tuple[str | None, str]:
    """The audit target and the place in words; LookupError for an unknown place."""
    if role == "head":
        found = places.village(village) if village else None
        if found is None:
            raise LookupError(f"--village: no village {village!r} (ids look like 03664:nam niệu)")
        return f"village:{found.id}", found.display_name
    if role == "officer":
        unit = places.commune(commune) if commune else None
        if unit is None:
            raise LookupError(f"--commune: no commune {commune!r} (codes look like 03664)")
        return f"commune:{unit.code}", unit.display_name
    return None, "(everything)"
