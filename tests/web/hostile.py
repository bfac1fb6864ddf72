"""What the hostile-input tests share: bodies an attacker sends, signing any body as each
provider would, and a snapshot of everything a request could change.

A snapshot counts the rows of every table, the conversation state held in memory (sessions,
dedupe marks), the messages the bot tried to send and the inbound tasks still running; two
snapshots are equal when a request changed nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bench import webhooks as bench
from bot.app import App
from bot.channels.base import BadPayload
from bot.store.models import Base
from integrations.twilio_sms.payloads import parse_form
from integrations.zalo import signature as zalo_signature
from tests.web.conftest import Wired

# Bounded runs: the whole hostile-input suite stays under a minute (a test sets max_examples).
fuzz = settings(
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow "explain"
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one bot for all examples, on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
SECRET = bench.SECRET
ADAPTERS = sorted(bench.available(bench.TARGETS))
# Everything the route may answer to a bad request: short, fixed, never the input.
SHORT = 120

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
# A UTF-16 surrogate alone, as JSON writes it: valid JSON, not encodable as UTF-8.
LONE_SURROGATE = st.sampled_from(['"\\ud800"', '{"text": "a\\udfffb"}', '["\\ud83d"]'])


def bodies() -> st.SearchStrategy[bytes]:
    """Random JSON, wrong types, invalid UTF-8, lone surrogates, deep nesting, huge bodies."""
    return st.one_of(
        json_values.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=300),  # mostly invalid UTF-8
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        LONE_SURROGATE.map(str.encode),
        st.integers(33, 5_000).map(lambda n: b"[" * n + b"]" * n),
        st.integers(33, 3_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
        st.integers(65 * 1024, 80 * 1024).map(lambda n: b" " * n),
    )


def content_types() -> st.SearchStrategy[str | None]:
    return st.sampled_from(
        [None, "application/json", "application/x-www-form-urlencoded", "text/plain", "x/y"]
    )


def sign(name: str, url: str, body: bytes) -> dict[str, str]:
    """The headers with which the provider ``name`` would send ``body`` to ``url``."""
    if name == "telegram":
        return {"x-telegram-bot-api-secret-token": SECRET}
    if name == "zalo_bot":
        return {"x-bot-api-secret-token": SECRET}
    if name == "zalo":
        try:
            stamp = zalo_signature.timestamp_in(body)
        except RecursionError:
            stamp = ""
        app_id = str(bench.TARGETS["zalo"].settings["app_id"])
        return {"x-zevent-signature": zalo_signature.signature(app_id, body, stamp, SECRET)}
    if name == "twilio_sms":
        try:
            params: Any = parse_form(body)
        except BadPayload:
            params = {}
        return {"x-twilio-signature": RequestValidator(SECRET).compute_signature(url, params)}
    if name == "android_sms":
        ts = str(int(time.time()))
        mac = hmac.new(SECRET.encode(), body + ts.encode(), hashlib.sha256).hexdigest()
        return {"x-signature": mac, "x-timestamp": ts}
    raise KeyError(name)


STATIC_SECRET = frozenset({"telegram", "zalo_bot"})  # a fixed header, not a signature


def _flip(value: str) -> str:
    return value[:-1] + ("0" if value[-1:] != "0" else "1")


def forge(name: str, url: str, body: bytes, how: int) -> dict[str, str]:
    """Headers that must not pass: ``how`` 0 none, 1 a wrong value in the right header,
    2 the right headers of another body, 3 another provider's right headers."""
    if how == 0:
        return {}
    if how == 1 or (how == 2 and name in STATIC_SECRET):
        return {k: _flip(v) for k, v in sign(name, url, body).items()}
    if how == 2:  # signed for another URL (Twilio signs the URL and the form fields)
        return sign(name, url + "?forged=1", body + b"&forged=1")
    other = ADAPTERS[(ADAPTERS.index(name) + 1) % len(ADAPTERS)]
    return sign(other, url, body)


async def snapshot(w: Wired) -> dict[str, Any]:
    """Everything a request could have changed (see the module docstring)."""
    app: App = w.app
    assert app.channels is not None
    await app.channels.drain()
    counts: dict[str, Any] = {}
    async with app.store.read() as tx:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = await tx.session.scalar(select(func.count()).select_from(table))
    state = app.state
    counts["sessions"] = len(state.sessions._data._items)  # type: ignore[attr-defined]
    counts["dedupe"] = len(state.deduper._seen._items)  # type: ignore[attr-defined]
    counts["sent"] = len(w.sent)
    return counts


def no_echo(response_body: bytes, sent: bytes, short: int = SHORT) -> bool:
    """The answer is short, and holds no piece of what was sent (16 bytes or more)."""
    if len(response_body) > short:
        return False
    for start in range(0, max(0, len(sent) - 16), 16):
        piece = sent[start : start + 16]
        if piece.strip() and len(set(piece)) > 2 and piece in response_body:
            return False
    return True
