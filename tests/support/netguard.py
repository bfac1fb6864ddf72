"""No network except localhost, enforced (courier's habit: a test that leaves the machine fails).

:class:`NetGuard` patches ``socket.socket.connect`` / ``connect_ex``, ``socket.getaddrinfo`` and
``socket.create_connection``. Loopback (127.0.0.0/8, ::1, ``localhost``), unspecified
(0.0.0.0, ::) and Unix sockets pass; anything else raises :class:`NetworkBlockedError` naming
the destination, before any packet or DNS query leaves. asyncio and the libraries on top of it
(httpx, redis, asyncpg) go through these functions, so they are covered too. Each blocked
attempt is also recorded in ``guard.blocked``, and :func:`localhost_only` (the plugin's autouse
fixture) fails the test even when the code under test swallowed the error.

Guards nest: an inner guard sees (and records) a blocked attempt before the outer one does.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import pytest

_LOCAL_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


class NetworkBlockedError(RuntimeError):
    """A test tried to reach a host other than this machine.

    Not an OSError on purpose: client libraries treat OSError as "retry / connection failed"
    and would hide it.
    """


def is_local_host(host: object) -> bool:
    """True for loopback addresses and names; also for None, "" and 0.0.0.0 / :: (unspecified:
    used to bind, and a connect to them reaches this machine)."""
    if host is None or host in ("", b""):
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()  # "[::1]", "fe80::1%eth0"
    if name in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a name other than localhost would need DNS
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return (
        address.is_loopback or address.is_unspecified or (mapped is not None and mapped.is_loopback)
    )


def _host_of(address: Any) -> object:
    """The host of a socket address, or None for Unix socket paths (str/bytes)."""
    if isinstance(address, tuple) and address:
        return address[0]
    return None


class NetGuard:
    """Context manager that blocks non-local connections while active."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self._saved: dict[tuple[object, str], Any] = {}

    def _refuse(self, what: str, host: object, port: object) -> NetworkBlockedError:
        destination = f"{host}:{port}"
        self.blocked.append(destination)
        return NetworkBlockedError(
            f"{what} to {destination} blocked: tests may only reach localhost "
            "(mock provider HTTP at the transport, e.g. with respx)"
        )

    def __enter__(self) -> NetGuard:
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_getaddrinfo = socket.getaddrinfo
        real_create_connection = socket.create_connection
        guard = self

        def connect(sock: socket.socket, address: Any) -> None:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local_host(
                _host_of(address)
            ):
                raise guard._refuse("connect", _host_of(address), address[1])
            return real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local_host(
                _host_of(address)
            ):
                raise guard._refuse("connect_ex", _host_of(address), address[1])
            return real_connect_ex(sock, address)

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if not is_local_host(host):
                raise guard._refuse("getaddrinfo", host, port)
            return real_getaddrinfo(host, port, *args, **kwargs)

        def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
            if not is_local_host(_host_of(address)):
                raise guard._refuse("create_connection", address[0], address[1])
            return real_create_connection(address, *args, **kwargs)

        for owner, name, patched in (
            (socket.socket, "connect", connect),
            (socket.socket, "connect_ex", connect_ex),
            (socket, "getaddrinfo", getaddrinfo),
            (socket, "create_connection", create_connection),
        ):
            self._saved[(owner, name)] = getattr(owner, name)
            setattr(owner, name, patched)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for (owner, name), original in self._saved.items():
            setattr(owner, name, original)
        self._saved.clear()


@contextmanager
def localhost_only() -> Iterator[NetGuard]:
    """A :class:`NetGuard` that fails the test afterwards if anything was blocked, even when
    the code under test caught the error."""
    with NetGuard() as guard:
        yield guard
    if guard.blocked:
        pytest.fail("test tried to reach the network: " + ", ".join(guard.blocked), pytrace=False)
