"""Hostile input at every webhook (``POST /webhooks/{name}``), through the whole app.

- forged or missing signatures, with any body: 4xx with a short answer that does not echo
  the body, and nothing changes (rows, conversation state, dedupe marks, sends);
- properly signed bodies that are random, of the wrong types, invalid UTF-8, deeply nested,
  huge, or real payloads with random field values: never a 500, and the message's processing
  in the background never fails with an error;
- a properly signed delivery posted twice is processed once, on every channel.
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import webhooks as bench
from tests.web.conftest import Wired
from tests.web.hostile import (
    ADAPTERS,
    bodies,
    content_types,
    forge,
    fuzz,
    json_values,
    no_echo,
    sign,
    snapshot,
)

FUZZ = settings(fuzz, max_examples=60)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@FUZZ
@given(
    name=st.sampled_from(ADAPTERS),
    body=bodies(),
    content_type=content_types(),
    how=st.integers(0, 3),
)
async def test_a_forged_webhook_changes_nothing(
    wired: Wired, name: str, body: bytes, content_type: str | None, how: int
) -> None:
    before = await snapshot(wired)
    url = f"{bench.BASE}/webhooks/{name}"
    headers = forge(name, url, body, how)
    if content_type:
        headers["content-type"] = content_type
    r = await wired.client.post(url, content=body, headers=headers)
    assert r.status_code in (400, 401, 403, 413), (name, how, r.status_code)
    assert no_echo(r.content, body)
    if r.status_code in (401, 403):  # which header is missing or wrong, in a few words
        assert any(w in r.text.lower() for w in ("signature", "token", "timestamp")), r.text
    assert await snapshot(wired) == before


@FUZZ
@given(name=st.sampled_from(ADAPTERS), body=bodies(), content_type=content_types())
async def test_a_signed_body_of_any_shape_is_never_a_server_error(
    wired: Wired,
    caplog: pytest.LogCaptureFixture,
    name: str,
    body: bytes,
    content_type: str | None,
) -> None:
    url = f"{bench.BASE}/webhooks/{name}"
    headers = sign(name, url, body)
    if content_type:
        headers["content-type"] = content_type
    r = await wired.client.post(url, content=body, headers=headers)
    assert r.status_code in (200, 400, 413), (name, r.status_code)
    if r.status_code != 200:
        assert no_echo(r.content, body)
    assert wired.app.channels is not None
    await wired.app.channels.drain()
    assert errors(caplog) == []


def _mutate(value: Any, path: list[int], new: Any) -> Any:
    """``value`` with the element reached by ``path`` (indices into keys / items, wrapping)
    replaced by ``new``."""
    if not path or not isinstance(value, dict | list) or not value:
        return new
    if isinstance(value, dict):
        key = list(value)[path[0] % len(value)]
        return {**value, key: _mutate(value[key], path[1:], new)}
    i = path[0] % len(value)
    return [*value[:i], _mutate(value[i], path[1:], new), *value[i + 1 :]]


@FUZZ
@given(
    name=st.sampled_from(ADAPTERS),
    path=st.lists(st.integers(0, 20), min_size=1, max_size=4),
    new=json_values | st.sampled_from(["\ud800", "a\udfffb", "x" * 30_000, -(2**70)]),
    n=st.integers(1, 10**6),
)
async def test_a_real_payload_with_a_field_of_any_value_is_handled(
    wired: Wired, caplog: pytest.LogCaptureFixture, name: str, path: list[int], new: Any, n: int
) -> None:
    """Provider payloads as recorded, with one field (any depth) given any value: a lone
    surrogate, a huge string, a number too big for 64 bits, a list where a string was."""
    url = f"{bench.BASE}/webhooks/{name}"
    raw, _ = bench.TARGETS[name].request(n, url, "xin chao")
    if name == "twilio_sms":
        fields = dict(parse_qsl(raw.decode()))
        key = sorted(fields)[path[0] % len(fields)]
        fields[key] = new if isinstance(new, str) else json.dumps(new)
        body = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
    else:
        body = json.dumps(_mutate(json.loads(raw), path, new)).encode()
    headers = {"content-type": "application/json", **sign(name, url, body)}
    if name == "twilio_sms":
        headers["content-type"] = "application/x-www-form-urlencoded"
    r = await wired.client.post(url, content=body, headers=headers)
    assert r.status_code in (200, 400, 413), (name, r.status_code)
    assert wired.app.channels is not None
    await wired.app.channels.drain()
    assert errors(caplog) == []


@pytest.mark.parametrize("name", ADAPTERS)
async def test_a_replayed_delivery_is_processed_once(wired: Wired, name: str) -> None:
    url = f"{bench.BASE}/webhooks/{name}"
    body, headers = bench.TARGETS[name].request(42, url, "xin chao")
    assert wired.app.channels is not None
    first = await wired.client.post(url, content=body, headers=headers)
    await wired.app.channels.drain()
    after_first = await snapshot(wired)
    replies = len(wired.sent)
    assert first.status_code == 200 and replies > 0
    again = await wired.client.post(url, content=body, headers=headers)  # signed, same id
    assert again.status_code == 200  # the provider must not retry it
    await wired.app.channels.drain()
    assert len(wired.sent) == replies  # not answered twice
    assert await snapshot(wired) == after_first


DELIVERY = itertools.count(10**7)  # each example its own message id and sender
HOSTILE_TEXT = st.text(max_size=300) | st.sampled_from(
    ["\ud800", "a\udfffb", "\x00", "nha em \x00 bi ngap", "\u202e\u0000" * 50, "👍" * 2000]
)


@settings(FUZZ, max_examples=30)
@given(name=st.sampled_from(ADAPTERS), text=HOSTILE_TEXT)
async def test_any_text_in_a_real_payload_is_answered(
    wired: Wired, caplog: pytest.LogCaptureFixture, name: str, text: str
) -> None:
    """Any text a person (or an attacker) can type, in a payload as the provider sends it:
    200, processed without an error, and the bot answers."""
    url = f"{bench.BASE}/webhooks/{name}"
    n = next(DELIVERY)
    raw, _ = bench.TARGETS[name].request(n, url, "xin chao", n % 10**6)
    if name == "twilio_sms":
        fields = dict(parse_qsl(raw.decode()))
        fields["Body"] = text
        body = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
        headers = {"content-type": "application/x-www-form-urlencoded"}
    else:
        payload = raw.decode().replace('"xin chao"', json.dumps(text))
        body = payload.encode("utf-8", "surrogatepass")
        headers = {"content-type": "application/json"}
    headers.update(sign(name, url, body))
    sent = len(wired.sent)
    r = await wired.client.post(url, content=body, headers=headers)
    assert r.status_code in (200, 400), (name, r.status_code)
    assert wired.app.channels is not None
    await wired.app.channels.drain()
    assert errors(caplog) == []
    if r.status_code == 200 and text.strip():
        assert len(wired.sent) > sent  # answered


async def test_ids_with_a_lone_surrogate_reach_the_bot_as_replacement_characters(
    wired: Wired, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the fuzzing above: a Zalo user id "\\ud800" (valid JSON) failed in the
    database driver when its reply window was recorded, a 500."""
    url = f"{bench.BASE}/webhooks/zalo"
    raw, _ = bench.TARGETS["zalo"].request(7, url, "xin chao")
    payload = json.loads(raw)
    payload["sender"]["id"] = "24\ud800"
    body = json.dumps(payload).encode()
    r = await wired.client.post(
        url, content=body, headers={"content-type": "application/json", **sign("zalo", url, body)}
    )
    assert r.status_code == 200
    assert wired.app.channels is not None
    await wired.app.channels.drain()
    assert errors(caplog) == []
