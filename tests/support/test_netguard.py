"""The network guard blocks every way out except loopback and Unix sockets."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.netguard import NetGuard, NetworkBlockedError, is_local_host, localhost_only

OUTSIDE_V4 = ("93.184.216.34", 80)
OUTSIDE_V6 = ("2606:2800:220:1:248:1893:25c8:1946", 80)


@pytest.fixture
def guard() -> Iterator[NetGuard]:
    """An inner guard: it records the blocked attempts these tests make on purpose."""
    with NetGuard() as inner:
        yield inner


def listener(family: socket.AddressFamily, host: str) -> socket.socket:
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind((host, 0))
    server.listen()
    return server


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        (None, True),
        ("0.0.0.0", True),  # noqa: S104 - a string under test, not a bind
        ("93.184.216.34", False),
        ("10.0.0.1", False),
        ("example.com", False),
        ("localhost.example.com", False),
        ("2606:2800:220:1::1", False),
    ],
)
def test_is_local_host(host: str | None, local: bool) -> None:
    assert is_local_host(host) is local


def test_blocks_connect_to_an_outside_ipv4_address(guard: NetGuard) -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlockedError, match=r"93\.184\.216\.34:80"):
        sock.connect(OUTSIDE_V4)
    with socket.socket() as sock, pytest.raises(NetworkBlockedError):
        sock.connect_ex(OUTSIDE_V4)
    assert guard.blocked == ["93.184.216.34:80", "93.184.216.34:80"]


def test_blocks_connect_to_an_outside_ipv6_address(guard: NetGuard) -> None:
    with socket.socket(socket.AF_INET6) as sock, pytest.raises(NetworkBlockedError):
        sock.connect(OUTSIDE_V6)


def test_blocks_names_before_any_dns_query(guard: NetGuard) -> None:
    with pytest.raises(NetworkBlockedError, match=r"example\.com:443"):
        socket.getaddrinfo("example.com", 443)
    with pytest.raises(NetworkBlockedError, match=r"example\.com:80"):
        socket.create_connection(("example.com", 80))
    with socket.socket() as sock, pytest.raises(NetworkBlockedError, match=r"example\.com"):
        sock.connect(("example.com", 80))  # connect() would resolve the name itself


async def test_blocks_asyncio_and_httpx(guard: NetGuard) -> None:
    with pytest.raises(NetworkBlockedError):
        await asyncio.open_connection("example.com", 80)
    with pytest.raises(NetworkBlockedError):
        await asyncio.open_connection(*OUTSIDE_V4)
    async with httpx.AsyncClient() as client:
        with pytest.raises(NetworkBlockedError):
            await client.get("http://example.com/")


@pytest.mark.parametrize(
    ("family", "host"), [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")]
)
def test_allows_loopback(guard: NetGuard, family: socket.AddressFamily, host: str) -> None:
    with listener(family, host) as server:
        port = server.getsockname()[1]
        with socket.socket(family) as sock:
            sock.connect((host, port))
        with (
            socket.create_connection(("localhost", port))
            if family == socket.AF_INET
            else (socket.create_connection((host, port)))
        ):
            pass
    assert socket.getaddrinfo("localhost", 80)
    assert guard.blocked == []


async def test_allows_asyncio_to_localhost(guard: NetGuard) -> None:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        _, writer = await asyncio.open_connection("localhost", port)
        writer.close()
        await writer.wait_closed()
    assert guard.blocked == []


def test_allows_unix_sockets(guard: NetGuard, tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(path)


def test_guards_other_threads(guard: NetGuard) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            socket.getaddrinfo("example.com", 80)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert len(errors) == 1 and isinstance(errors[0], NetworkBlockedError)


def test_restores_the_real_functions_on_exit() -> None:
    before = (socket.socket.connect, socket.getaddrinfo, socket.create_connection)
    with NetGuard():
        assert socket.getaddrinfo is not before[1]
    assert (socket.socket.connect, socket.getaddrinfo, socket.create_connection) == before


def test_the_plugin_guard_is_active_in_every_test(no_network: NetGuard) -> None:
    with pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("example.com", 80)
    assert no_network.blocked == ["example.com:80"]
    no_network.blocked.clear()  # this attempt was on purpose; don't fail the test at teardown


def test_swallowed_attempts_still_fail_the_test() -> None:
    failed = pytest.raises(pytest.fail.Exception, match=r"example\.com:80")
    # The inner suppress() plays a library that catches every error.
    with failed, localhost_only(), contextlib.suppress(NetworkBlockedError):
        socket.getaddrinfo("example.com", 80)
