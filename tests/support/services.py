"""Find (or start) the real Redis and PostgreSQL the contract tests run against.

Redis, in order: env ``BANBOT_TEST_REDIS_URL``; a Redis answering on 127.0.0.1:6379 (DB 15);
our own ``redis-server`` on a free port in a temp dir, without persistence, stopped at the end
of the session. PostgreSQL: env ``BANBOT_TEST_POSTGRES_URL`` or
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``, checked with asyncpg.

When a service is missing the tests that need it are skipped, loudly, on a developer machine,
and fail under CI (env ``CI=true``): a CI run must never pass by skipping.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

import pytest

REDIS_ENV = "BANBOT_TEST_REDIS_URL"
POSTGRES_ENV = "BANBOT_TEST_POSTGRES_URL"
DEFAULT_REDIS = ("127.0.0.1", 6379)
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
HINT = "run `make services` (scripts/ensure-services.sh) or set {env}"


def redis_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """True if a Redis server answers PING on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


async def _postgres_answers(url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]  # imported only when PostgreSQL is needed

    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn, timeout=3)
    try:
        await conn.fetchval("select 1")
    finally:
        await conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServiceProvider:
    """Resolves service URLs once per session and owns any server it started."""

    def __init__(
        self,
        env: Mapping[str, str] = os.environ,
        which: Callable[[str], str | None] = shutil.which,
        default_redis: tuple[str, int] = DEFAULT_REDIS,
    ) -> None:
        self._env = env
        self._which = which
        self._default_redis = default_redis
        self._redis_url: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def _missing(self, what: str) -> None:
        if self._env.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {what}", pytrace=False)
        pytest.skip(f"SKIPPED, NOT TESTED: {what}")

    def redis_url(self) -> str:
        """A Redis URL for tests (see the module docstring for the order tried)."""
        if self._redis_url is None:
            self._redis_url = self._find_redis()
        return self._redis_url

    def _find_redis(self) -> str:
        if url := self._env.get(REDIS_ENV):
            return url
        host, port = self._default_redis
        if redis_answers(host, port):
            return f"redis://{host}:{port}/15"
        binary = self._which("redis-server")
        if binary is None:
            hint = HINT.format(env=REDIS_ENV)
            self._missing(f"no Redis on {host}:{port} and no redis-server binary; {hint}")
        assert binary is not None  # _missing() raised
        return self._start_redis(binary)

    def _start_redis(self, binary: str) -> str:
        self._tmp = tempfile.TemporaryDirectory(prefix="banbot-redis-")
        port = _free_port()
        args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self._tmp.name]  # fmt: skip
        self._process = subprocess.Popen(  # noqa: S603 - a fixed local binary, our own args
            args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        atexit.register(self.stop)  # also when pytest dies before session teardown
        deadline = time.monotonic() + 10
        while not redis_answers("127.0.0.1", port, timeout=0.2):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                self._missing(f"started {binary} on port {port} but it never answered")
            time.sleep(0.05)
        return f"redis://127.0.0.1:{port}/0"

    def postgres_url(self) -> str:
        """A PostgreSQL URL for tests that answers ``select 1`` right now."""
        url = self._env.get(POSTGRES_ENV) or DEFAULT_POSTGRES_URL
        # A thread with its own loop: works whether or not an event loop is already running.
        with ThreadPoolExecutor(max_workers=1) as pool:
            try:
                pool.submit(asyncio.run, _postgres_answers(url)).result()
            except Exception as exc:  # any failure means: not usable for tests
                self._missing(
                    f"PostgreSQL at {url} did not answer ({exc!r}); "
                    + HINT.format(env=POSTGRES_ENV)
                )
        return url

    def stop(self) -> None:
        """Stop the redis-server we started, if any, and remove its temp dir (idempotent)."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stderr is not None:
                self._process.stderr.close()
            self._process = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        self._redis_url = None


_SESSION = ServiceProvider()


def redis_url_for_tests() -> str:
    """The session-wide Redis URL (skip locally / fail under CI when none can be had)."""
    return _SESSION.redis_url()


def postgres_url_for_tests() -> str:
    """The session-wide PostgreSQL URL (skip locally / fail under CI when it does not answer)."""
    return _SESSION.postgres_url()


def stop_services() -> None:
    """Stop whatever :func:`redis_url_for_tests` started (called at the end of the session)."""
    _SESSION.stop()
