"""``banbot users``: add (bound to real communes / villages), list, disable, audited."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.store.records import AuditRecord, WebUserRecord
from bot.store.repo import Store
from bot.web.workspace.passwords import verify_password
from tests.test_cli import db_url
from tests.workspace.conftest import CHIENG_AN, NAM_NIEU, PASSWORD

__all__ = ["db_url"]  # the fixture: a temporary SQLite database the CLI is pointed at


def _read(url: str) -> tuple[list[WebUserRecord], list[AuditRecord], str | None]:
    async def run() -> tuple[list[WebUserRecord], list[AuditRecord], str | None]:
        store = Store(url)
        try:
            async with store.transaction() as tx:
                found = await tx.users.password_hash("an")
                return (await tx.users.all(), await tx.audit.recent(),
                        found[1] if found else None)  # fmt: skip
        finally:
            await store.close()

    return asyncio.run(run())


def _add(*args: str, password: str = PASSWORD) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["users", "add", *args, "--password-stdin"],
                                input=password + "\n")  # fmt: skip
    return result.exit_code, result.output


def test_add_list_disable(db_url: str) -> None:
    code, out = _add("--username", "an", "--role", "officer", "--commune", CHIENG_AN)
    assert code == 0, out
    code, out = _add("--username", "truong.ban", "--role", "head", "--village", NAM_NIEU)
    assert code == 0, out
    code, out = _add("--username", "root", "--role", "admin")
    assert code == 0, out
    users, audit, stored = _read(db_url)
    assert [(u.username, u.role, u.commune_code, u.village_id) for u in users] == [
        ("an", "officer", CHIENG_AN, None),
        ("root", "admin", None, None),
        ("truong.ban", "head", CHIENG_AN, NAM_NIEU),  # the commune follows the village
    ]
    assert stored is not None and verify_password(stored, PASSWORD)
    assert [e.action for e in audit] == ["user.add"] * 3
    assert all(e.actor.startswith("cli:") for e in audit)
    listed = CliRunner().invoke(main, ["users", "list"])
    assert listed.exit_code == 0
    assert "an\tofficer\t03664\t-\tactive" in listed.output
    assert PASSWORD not in listed.output and "argon2" not in listed.output
    assert CliRunner().invoke(main, ["users", "disable", "an"]).exit_code == 0
    assert "an\tofficer\t03664\t-\tdisabled" in CliRunner().invoke(main, ["users", "list"]).output
    missing = CliRunner().invoke(main, ["users", "disable", "nobody"])
    assert missing.exit_code == 1 and "no user" in missing.output


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--username", "an", "--role", "officer", "--commune", "99999"], PASSWORD,
         "unknown commune"),
        (["--username", "an", "--role", "officer"], PASSWORD, "needs a commune"),
        (["--username", "an", "--role", "head", "--commune", CHIENG_AN], PASSWORD,
         "needs a village"),
        (["--username", "an", "--role", "head", "--village", "03664:không có"], PASSWORD,
         "unknown village"),
        (["--username", "an", "--role", "head", "--village", NAM_NIEU, "--commune", "04105"],
         PASSWORD, "not in that commune"),
        (["--username", "an", "--role", "officer", "--commune", CHIENG_AN], "ngan", "ít nhất"),
        (["--username", "a b", "--role", "admin"], PASSWORD, "letters, digits"),
        (["--username", "an", "--role", "boss"], PASSWORD, "Invalid value"),
    ],
)  # fmt: skip
def test_add_refuses_bad_input(db_url: str, args: list[str], password: str, message: str) -> None:
    code, out = _add(*args, password=password)
    assert code != 0 and message in out


def test_a_username_is_taken_once(db_url: str) -> None:
    assert _add("--username", "an", "--role", "admin")[0] == 0
    code, out = _add("--username", "an", "--role", "admin")
    assert code != 0 and "taken" in out


def test_set_password(db_url: str) -> None:
    assert _add("--username", "an", "--role", "admin")[0] == 0
    result = CliRunner().invoke(main, ["users", "set-password", "an", "--password-stdin"],
                                input="mat-khau-moi-hoan-toan\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    _, audit, stored = _read(db_url)
    assert stored is not None and verify_password(stored, "mat-khau-moi-hoan-toan")
    assert audit[0].action == "user.password"


def test_places_locate_puts_a_village_on_the_map(db_url: str) -> None:
    from bot.store.triage import Scope

    result = CliRunner().invoke(main, ["places", "locate", NAM_NIEU, "21.3335", "103.9052"])
    assert result.exit_code == 0, result.output

    async def positions() -> dict[str, tuple[float, float]]:
        store = Store(db_url)
        try:
            async with store.transaction() as tx:
                return await tx.triage.village_positions(Scope(commune_code=CHIENG_AN))
        finally:
            await store.close()

    assert asyncio.run(positions()) == {NAM_NIEU: (21.3335, 103.9052)}
    assert CliRunner().invoke(main, ["places", "locate", NAM_NIEU, "--clear"]).exit_code == 0
    assert asyncio.run(positions()) == {}
    assert CliRunner().invoke(main, ["places", "locate", "03664:không có", "1", "2"]).exit_code == 1
    assert CliRunner().invoke(main, ["places", "locate", NAM_NIEU, "91", "2"]).exit_code == 2
    _, audit, _ = _read(db_url)
    assert [e.action for e in audit] == ["village.position", "village.position"]
