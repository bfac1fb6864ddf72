"""Service discovery: env first, then the default port, then our own redis-server; skip or fail."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.services import (
    DEFAULT_POSTGRES_URL,
    POSTGRES_ENV,
    REDIS_ENV,
    ServiceProvider,
    redis_answers,
)


def silent_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def own_redis() -> Iterator[ServiceProvider]:
    """A provider forced past the default port, so it starts its own redis-server."""
    provider = ServiceProvider(env={}, default_redis=("127.0.0.1", silent_port()))
    yield provider
    provider.stop()


def test_env_url_wins_without_probing() -> None:
    provider = ServiceProvider(env={REDIS_ENV: "redis://10.9.9.9:6380/3"}, which=lambda _: None)
    assert provider.redis_url() == "redis://10.9.9.9:6380/3"


def test_starts_and_stops_its_own_redis(own_redis: ServiceProvider) -> None:
    url = own_redis.redis_url()
    host_port = url.removeprefix("redis://").removesuffix("/0")
    host, port = host_port.split(":")
    assert host == "127.0.0.1" and redis_answers(host, int(port))
    assert own_redis.redis_url() == url  # once per session
    data_dir = Path(own_redis._tmp.name)  # type: ignore[union-attr]
    assert data_dir.is_dir() and not any(data_dir.glob("*.rdb"))

    own_redis.stop()
    assert not redis_answers(host, int(port))
    assert not data_dir.exists()
    own_redis.stop()  # idempotent


def test_uses_db_15_of_a_redis_on_the_default_port(own_redis: ServiceProvider) -> None:
    port = int(own_redis.redis_url().removeprefix("redis://127.0.0.1:").removesuffix("/0"))
    provider = ServiceProvider(env={}, default_redis=("127.0.0.1", port))
    assert provider.redis_url() == f"redis://127.0.0.1:{port}/15"


def test_skips_loudly_without_any_redis() -> None:
    provider = ServiceProvider(
        env={}, which=lambda _: None, default_redis=("127.0.0.1", silent_port())
    )
    with pytest.raises(pytest.skip.Exception, match=f"SKIPPED, NOT TESTED.*{REDIS_ENV}"):
        provider.redis_url()


def test_fails_under_ci_without_any_redis() -> None:
    provider = ServiceProvider(
        env={"CI": "true"}, which=lambda _: None, default_redis=("127.0.0.1", silent_port())
    )
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        provider.redis_url()


@pytest.mark.postgres
def test_default_postgres_answers() -> None:
    assert ServiceProvider(env={}).postgres_url() == DEFAULT_POSTGRES_URL


@pytest.mark.parametrize(
    ("ci", "outcome"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)]
)
def test_silent_postgres_skips_locally_and_fails_under_ci(
    ci: str, outcome: type[BaseException]
) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{silent_port()}/test"
    provider = ServiceProvider(env={POSTGRES_ENV: url, "CI": ci})
    with pytest.raises(outcome, match="did not answer"):
        provider.postgres_url()
