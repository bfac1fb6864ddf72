"""The inbound spool: messages kept on disk during an outage, replayed in order, once."""

from __future__ import annotations

import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.exceptions
import sqlalchemy.exc

from bot.channels.spool import Spool, decode, encode
from bot.domain.messages import Inbound, Location
from bot.outage import is_outage


def msg(n: int, **extra: object) -> Inbound:
    return Inbound("telegram", f"telegram:{n}", f"u{n}", text=f"nhà tôi bị sạt lở {n}", **extra)  # type: ignore[arg-type]


def test_a_message_comes_back_as_it_went() -> None:
    full = msg(
        1,
        location=Location(21.36, 103.9),
        media=("file-1", "file-2"),
        received_at=datetime(2026, 12, 2, 8, 30, tzinfo=UTC),
        rendering="telegram",
        contact_phone="+84912345678",
    )
    assert decode(encode(full)) == full
    assert decode(encode(msg(2))) == msg(2)


async def test_replay_hands_every_message_in_order_then_forgets_them(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    for n in range(3):
        await spool.put(msg(n))
    assert spool.pending() == 3
    files = list((tmp_path / "spool").iterdir())
    assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600]  # people's words
    assert stat.S_IMODE((tmp_path / "spool").stat().st_mode) == 0o700
    got: list[Inbound] = []

    async def handle(m: Inbound) -> None:
        got.append(m)

    assert await spool.replay(handle) == 3
    assert got == [msg(0), msg(1), msg(2)]
    assert spool.pending() == 0 and list((tmp_path / "spool").iterdir()) == []
    assert await spool.replay(handle) == 0


async def test_an_outage_during_replay_keeps_that_message_and_the_rest(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    for n in range(4):
        await spool.put(msg(n))
    got: list[str] = []
    down = {"u1"}

    async def handle(m: Inbound) -> None:
        if m.external_id in down:
            await spool.put(msg(9))  # a webhook's message kept while this replay runs
            raise sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError())
        got.append(m.external_id)

    assert await spool.replay(handle) == 1
    assert got == ["u0"] and spool.pending() == 4
    down.clear()  # the database is back: the older ones first
    assert await spool.replay(handle) == 4
    assert got == ["u0", "u1", "u2", "u3", "u9"] and spool.pending() == 0


async def test_a_message_that_fails_for_another_reason_is_dropped_not_retried_forever(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spool = Spool(tmp_path)
    for n in range(3):
        await spool.put(msg(n))
    got: list[str] = []

    async def handle(m: Inbound) -> None:
        if m.external_id == "u1":
            raise ValueError("a bug")
        got.append(m.external_id)

    assert await spool.replay(handle) == 2
    assert got == ["u0", "u2"] and spool.pending() == 0
    assert "failed again and is dropped" in caplog.text


async def test_a_file_left_by_a_process_that_died_mid_replay_is_replayed(tmp_path: Path) -> None:
    pid = _dead_pid()
    (tmp_path / f"inbound-1.jsonl.{pid}.replaying").write_text(encode(msg(7)) + "\n")
    got: list[Inbound] = []

    async def handle(m: Inbound) -> None:
        got.append(m)

    assert await Spool(tmp_path).replay(handle) == 1
    assert got == [msg(7)]


def _dead_pid() -> int:
    """The pid of a process that has ended."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout)


@pytest.mark.parametrize(
    ("exc", "outage"),
    [
        (ConnectionRefusedError(), True),
        (sqlalchemy.exc.OperationalError("x", {}, OSError("could not connect")), True),
        (sqlalchemy.exc.InterfaceError("x", {}, Exception("connection is closed")), True),
        (redis.exceptions.ConnectionError("Error 111 connecting"), True),
        (redis.exceptions.TimeoutError(), True),
        (ValueError("bad input"), False),
        (sqlalchemy.exc.IntegrityError("x", {}, Exception("duplicate key")), False),
        (KeyError("bug"), False),
    ],
)
def test_what_counts_as_an_outage(exc: BaseException, outage: bool) -> None:
    assert is_outage(exc) is outage


def test_an_outage_is_found_under_what_it_caused() -> None:
    try:
        try:
            raise ConnectionRefusedError
        except ConnectionRefusedError as inner:
            raise RuntimeError("turn failed") from inner
    except RuntimeError as outer:
        assert is_outage(outer)
