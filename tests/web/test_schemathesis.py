"""schemathesis against the app's own OpenAPI document (``/openapi.json``), in-process.

Every operation (the simulator, the webhooks, ``/api/v1``) gets requests generated from its
schema, valid and not, with a commune officer's Bearer token, and must never answer with a
server error. The app runs through schemathesis's ASGI client, which keeps one event loop
(and the app's lifespan, which builds the bot) for the rest of the process: the bot is built
there, from a database made here, and lives until the process ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi

from bot.config import Settings
from bot.store.repo import Store
from bot.web.app import create_app
from bot.web.workspace.passwords import hash_password
from tests.conftest import make_settings
from tests.web.hostile import fuzz
from tests.workspace.conftest import CHIENG_AN, PASSWORD


def _in_a_thread(work: Callable[[], Any]) -> Any:
    """Run a coroutine function on its own loop (pytest-asyncio may hold this thread's)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(work())).result()


async def _officer(settings: Settings) -> None:
    store = Store(settings.database_url)
    try:
        async with store.transaction() as tx:
            await tx.users.add(
                username="canbo", password_hash=hash_password(PASSWORD), role="officer",
                commune_code=CHIENG_AN, village_id=None,
            )  # fmt: skip
    finally:
        await store.close()


@pytest.fixture(scope="module")
def app_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("schemathesis"))
    _in_a_thread(lambda: _officer(settings))
    return settings


@pytest.fixture(scope="module")
def api_schema(app_settings: Settings) -> Any:
    api = create_app(app_settings)  # the lifespan builds the bot, in schemathesis's loop
    return schemathesis.openapi.from_asgi("/openapi.json", api)


@pytest.fixture(scope="module")
def officer_auth(api_schema: Any) -> dict[str, str]:
    with asgi.get_client(api_schema.app) as client:
        r = client.post("/api/v1/session", json={"username": "canbo", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture(scope="module")
def operations(api_schema: Any) -> Any:
    """A strategy of cases over every operation but logging out (which would leave the rest
    unauthenticated; it is fuzzed in test_fuzz_sim_api.py)."""
    return api_schema.exclude(method="DELETE", path="/api/v1/session").as_strategy()


# schemathesis's own parametrization (from_fixture) needs a pytest attribute pytest 9 no
# longer has (``_nodeid``); drawing from the schema's strategy runs the same cases.
@settings(fuzz, max_examples=150)
@given(data=st.data())
def test_no_operation_answers_with_a_server_error(
    data: st.DataObject, operations: Any, officer_auth: dict[str, str]
) -> None:
    case: schemathesis.Case = data.draw(operations)
    case.call_and_validate(headers=officer_auth, checks=[not_a_server_error])
