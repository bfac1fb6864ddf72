"""``banbot users``: workspace accounts. There are no default accounts; the first admin is
made with ``banbot users add --username ... --role admin --password-stdin``.

Every change is audited with actor ``cli:<system user>``.
"""

from __future__ import annotations

import asyncio
import getpass
import sys

import click

from bot.config import get_settings
from bot.roles_cli import invite
from bot.store.records import NotFound
from bot.store.repo import Store
from bot.web.workspace.passwords import check_new_password, hash_password


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (containers)
        return "cli:unknown"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Mật khẩu / password", hide_input=True,
                                confirmation_prompt=True)  # fmt: skip
    try:
        check_new_password(password)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="password") from exc
    return password


async def _store() -> Store:
    from bot.app import prepare_database

    settings = get_settings()
    await prepare_database(settings)
    return Store(settings.database_url)


@click.group()
def users() -> None:
    """Tài khoản cán bộ / workspace accounts (officer, admin, head); role codes for the bot."""


users.add_command(invite)


@users.command("add")
@click.option("--username", required=True, help="Login name (letters, digits, . _ -).")
@click.option("--role", required=True, type=click.Choice(["officer", "admin", "head"]))
@click.option("--commune", "commune", default=None, help="Commune code (officer, head).")
@click.option("--village", "village", default=None, help="Village id (head), e.g. 03664:nam niệu")
@click.option("--name", "display_name", default=None, help="Name shown in the workspace.")
@click.option("--password-stdin", is_flag=True, help="Read the password from one stdin line.")
def add(
    username: str,
    role: str,
    commune: str | None,
    village: str | None,
    display_name: str | None,
    password_stdin: bool,
) -> None:
    """Create a workspace account."""
    if not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise click.BadParameter("letters, digits, '.', '_' or '-' only", param_hint="username")
    password = _read_password(password_stdin)

    async def run() -> str:
        store = await _store()
        try:
            async with store.transaction() as tx:
                code = commune
                if village is not None:
                    communes, villages, _ = await tx.places.load()
                    found = next((v for v in villages if v.id == village), None)
                    if found is None:
                        raise click.BadParameter(f"unknown village {village!r}",
                                                 param_hint="--village")  # fmt: skip
                    if code is not None and code != found.commune_code:
                        raise click.BadParameter("the village is not in that commune")
                    code = found.commune_code
                if code is not None:
                    communes, _, _ = await tx.places.load()
                    if not any(c.code == code for c in communes):
                        raise click.BadParameter(f"unknown commune {code!r}",
                                                 param_hint="--commune")  # fmt: skip
                try:
                    user = await tx.users.add(
                        username=username, password_hash=hash_password(password), role=role,
                        commune_code=code if role != "admin" else None,
                        village_id=village if role == "head" else None,
                        display_name=display_name,
                    )  # fmt: skip
                except ValueError as exc:
                    raise click.UsageError(str(exc)) from exc
                await tx.audit.record(
                    actor=_actor(),
                    action="user.add",
                    target=f"user:{username}",
                    detail={"role": role, "commune": user.commune_code, "village": user.village_id},
                )
                return f"{user.username} ({user.role}) id={user.id}"
        finally:
            await store.close()

    click.echo(f"created {asyncio.run(run())}")


@users.command("list")
def list_users() -> None:
    """List accounts: username, role, commune, village, state, last login."""

    async def run() -> list[str]:
        store = await _store()
        try:
            async with store.transaction() as tx:
                found = await tx.users.all()
        finally:
            await store.close()
        return [
            "\t".join([u.username, u.role, u.commune_code or "-", u.village_id or "-",
                       "disabled" if u.disabled else "active",
                       u.last_login_at.isoformat(timespec="minutes") if u.last_login_at else "-"])
            for u in found
        ]  # fmt: skip

    lines = asyncio.run(run())
    click.echo("username\trole\tcommune\tvillage\tstate\tlast_login")
    for line in lines:
        click.echo(line)


@users.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Disable an account and end its sessions (nothing is deleted)."""
    _set_disabled(username, True)


@users.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """Enable a disabled account again."""
    _set_disabled(username, False)


def _set_disabled(username: str, disabled: bool) -> None:
    async def run() -> None:
        store = await _store()
        try:
            async with store.transaction() as tx:
                await tx.users.set_disabled(username, disabled)
                action = "user.disable" if disabled else "user.enable"
                await tx.audit.record(actor=_actor(), action=action, target=f"user:{username}")
        finally:
            await store.close()

    try:
        asyncio.run(run())
    except NotFound as exc:
        raise click.ClickException(f"no user {username!r}") from exc
    click.echo(f"{username} {'disabled' if disabled else 'enabled'}")


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from one stdin line.")
def set_password(username: str, password_stdin: bool) -> None:
    """Give an account a new password; its open sessions end."""
    password = _read_password(password_stdin)

    async def run() -> bool:
        store = await _store()
        try:
            async with store.transaction() as tx:
                user = await tx.users.by_username(username)
                if user is None:
                    return False
                await tx.users.set_password_hash(user.id, hash_password(password))
                await tx.users.end_sessions(user.id)
                await tx.audit.record(
                    actor=_actor(), action="user.password", target=f"user:{username}"
                )
                return True
        finally:
            await store.close()

    if not asyncio.run(run()):
        raise click.ClickException(f"no user {username!r}")
    click.echo(f"{username}: password changed")


@click.command("locate")
@click.argument("village_id")
@click.argument("lat", type=click.FloatRange(-90, 90), required=False)
@click.argument("lon", type=click.FloatRange(-180, 180), required=False)
@click.option("--clear", is_flag=True, help="Take the village's position away.")
def locate(village_id: str, lat: float | None, lon: float | None, clear: bool) -> None:
    """Put a village on the workspace map: VILLAGE_ID LAT LON (e.g. '03664:panh' 21.34 103.91).

    Reports without their own pin are then drawn at their village.
    """
    if clear:
        lat = lon = None
    elif lat is None or lon is None:
        raise click.UsageError("give LAT and LON, or --clear")

    async def run() -> None:
        store = await _store()
        try:
            async with store.transaction() as tx:
                await tx.triage.set_village_position(village_id, lat, lon)
                await tx.audit.record(
                    actor=_actor(), action="village.position", target=f"village:{village_id}",
                    detail={"lat": lat, "lon": lon},
                )  # fmt: skip
        finally:
            await store.close()

    try:
        asyncio.run(run())
    except NotFound as exc:
        raise click.ClickException(f"no village {village_id!r}") from exc
    click.echo(f"{village_id}: {'no position' if lat is None else f'{lat}, {lon}'}")
