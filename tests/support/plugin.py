"""Pytest plugin for the whole suite: real-service URLs and the localhost-only network guard.

Enable it once in ``tests/conftest.py`` with ``pytest_plugins = ["tests.support.plugin"]``.

Fixtures:

- ``redis_url`` (session): a Redis URL; see :mod:`tests.support.services`. Share the server
  politely: use a unique key prefix per test and delete your keys, never FLUSHDB/FLUSHALL.
- ``postgres_url`` (session): a ``postgresql+asyncpg://`` URL that answered just now.
- ``no_network`` (autouse): any connection to a non-local host raises
  :class:`~tests.support.netguard.NetworkBlockedError`, and the test fails even if the
  error was swallowed by the code under test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.netguard import NetGuard, localhost_only
from tests.support.services import postgres_url_for_tests, redis_url_for_tests, stop_services


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Redis for this test session; a server we started is stopped at the end."""
    try:
        yield redis_url_for_tests()
    finally:
        stop_services()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """PostgreSQL for this test session (``postgresql+asyncpg://...``)."""
    return postgres_url_for_tests()


@pytest.fixture(autouse=True)
def no_network() -> Iterator[NetGuard]:
    """Block every connection that would leave this machine, for every test."""
    with localhost_only() as guard:
        yield guard
