"""Keys are readable, prefixed, and can never collide (they decode back to their inputs)."""

from __future__ import annotations

from hashlib import sha256
from urllib.parse import quote, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sessions import keys as keymod
from bot.sessions.keys import KeyBuilder, dedupe_key, lock_key, session_key

part = st.text(min_size=1, max_size=80)


def decode(encoded: str, original: str) -> str:
    """Invert one key part: unquote it, or check a hashed one against ``original``'s hash."""
    if encoded.startswith("#"):
        assert len(quote(original, safe="+@")) > keymod.MAX_PART
        return original if encoded[1:] == sha256(original.encode()).hexdigest() else encoded
    return unquote(encoded)


def test_default_keys_are_readable_and_prefixed() -> None:
    assert session_key("telegram", "telegram:123") == "banbot:session:telegram:telegram%3A123"
    assert session_key("sms", "tel:+84912345678") == "banbot:session:sms:tel%3A+84912345678"
    assert lock_key("zalo", "zalo:9") == "banbot:lock:zalo:zalo%3A9"
    assert (
        dedupe_key("sms", "tel:+84912345678", "SM1") == "banbot:dedupe:sms:tel%3A+84912345678:SM1"
    )


def test_crafted_addresses_do_not_collide() -> None:
    crafted = {
        session_key("telegram", "1:x"),
        session_key("telegram:1", "x"),
        session_key("telegram", "1%3Ax"),
        session_key("telegram", "1%253Ax"),
        lock_key("telegram", "1:x"),
        dedupe_key("telegram", "1", "x"),
    }
    assert len(crafted) == 6


@given(channel=part, address=part, external_id=part)
def test_keys_decode_back_to_their_inputs(channel: str, address: str, external_id: str) -> None:
    for kind, key, inputs in [
        ("session", session_key(channel, address), [channel, address]),
        ("lock", lock_key(channel, address), [channel, address]),
        ("dedupe", dedupe_key(channel, address, external_id), [channel, address, external_id]),
    ]:
        prefix, found_kind, *parts = key.split(":")
        assert (prefix, found_kind) == ("banbot", kind)
        assert [decode(p, original) for p, original in zip(parts, inputs, strict=True)] == inputs


@given(a=st.tuples(part, part), b=st.tuples(part, part))
def test_different_inputs_give_different_keys(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert (session_key(*a) == session_key(*b)) == (a == b)


def test_long_parts_are_hashed_and_cannot_forge_a_hash() -> None:
    long_address = "zalo:" + "9" * 500
    key = session_key("zalo", long_address)
    hashed = key.rsplit(":", 1)[1]
    assert hashed.startswith("#") and len(hashed) == 65
    assert len(key) < 100
    assert session_key("zalo", hashed) != key  # a literal "#..." is escaped to "%23..."
    assert session_key("zalo", long_address + "0") != key
    at_limit = "9" * keymod.MAX_PART
    assert session_key("zalo", at_limit).endswith(":" + at_limit)  # limit itself stays literal
    assert session_key("zalo", at_limit + "9").rsplit(":", 1)[1].startswith("#")


def test_vietnamese_parts_are_escaped_to_ascii() -> None:
    key = session_key("web", "web:Lò Văn Đức")
    assert key.isascii() and " " not in key
    assert unquote(key.rsplit(":", 1)[1]) == "web:Lò Văn Đức"


@pytest.mark.parametrize("bad", ["", "a:b", "50%", "with space"])
def test_prefix_must_need_no_escaping(bad: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        KeyBuilder(prefix=bad)


def test_empty_parts_are_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        session_key("telegram", "")


def test_custom_prefix_isolates_keys() -> None:
    assert KeyBuilder("banbot-test-1").session("t", "a") != KeyBuilder("banbot-test-2").session(
        "t", "a"
    )
