"""Keys are prefixed, carry no address, and can never collide (they decode back to their inputs)."""

from __future__ import annotations

from hashlib import sha256
from urllib.parse import quote, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sessions import keys as keymod
from bot.sessions.keys import KeyBuilder, conversation_id, dedupe_key, lock_key, session_key

part = st.text(min_size=1, max_size=80)


def decode(encoded: str, original: str, *, address: bool = False) -> str:
    """Invert one key part: unquote it, or check a hashed one against ``original``'s hash
    (an address part is always hashed; another only when too long)."""
    if encoded.startswith("#"):
        assert address or len(quote(original, safe="+@")) > keymod.MAX_PART
        return original if encoded[1:] == sha256(original.encode()).hexdigest() else encoded
    assert not address, "an address part is never literal"
    return unquote(encoded)


def _hash(value: str) -> str:
    return "#" + sha256(value.encode()).hexdigest()


def test_default_keys_are_prefixed_and_hide_the_address() -> None:
    phone = "tel:+84912345678"
    assert session_key("telegram", "telegram:123") == "banbot:session:telegram:" + _hash(
        "telegram:123"
    )
    assert session_key("tel", phone) == "banbot:session:tel:" + _hash(phone)
    assert lock_key("zalo", "zalo:9") == "banbot:lock:zalo:" + _hash("zalo:9")
    assert dedupe_key("sms", phone, "SM1") == f"banbot:dedupe:sms:{_hash(phone)}:SM1"
    for key in (session_key("tel", phone), lock_key("tel", phone), dedupe_key("sms", phone, "1")):
        assert "912345678" not in key


def test_conversation_id_is_the_start_of_the_keys_hash() -> None:
    phone = "tel:+84912345678"
    assert conversation_id(phone) == _hash(phone)[1:17]
    assert conversation_id(phone) in session_key("tel", phone)
    assert conversation_id(phone) != conversation_id("tel:+84912345679")


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
        decoded = [
            decode(p, original, address=n == 1)
            for n, (p, original) in enumerate(zip(parts, inputs, strict=True))
        ]
        assert decoded == inputs


@given(a=st.tuples(part, part), b=st.tuples(part, part))
def test_different_inputs_give_different_keys(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert (session_key(*a) == session_key(*b)) == (a == b)


def test_long_parts_are_hashed_and_cannot_forge_a_hash() -> None:
    long_id = "9" * 500
    key = dedupe_key("zalo", "zalo:1", long_id)
    hashed = key.rsplit(":", 1)[1]
    assert hashed.startswith("#") and len(hashed) == 65
    assert len(key) < 200
    assert dedupe_key("zalo", "zalo:1", hashed) != key  # a literal "#..." is escaped to "%23..."
    assert dedupe_key("zalo", "zalo:1", long_id + "0") != key
    at_limit = "9" * keymod.MAX_PART
    assert dedupe_key("zalo", "zalo:1", at_limit).endswith(":" + at_limit)  # stays literal
    assert dedupe_key("zalo", "zalo:1", at_limit + "9").rsplit(":", 1)[1].startswith("#")


def test_vietnamese_parts_are_escaped_to_ascii() -> None:
    key = dedupe_key("web", "web:Lò Văn Đức", "tin nhắn 1")
    assert key.isascii() and " " not in key
    assert unquote(key.rsplit(":", 1)[1]) == "tin nhắn 1"


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


def test_ids_with_a_lone_surrogate_still_make_distinct_keys() -> None:
    """A forged delivery id "\\ud800" (valid JSON) reached quote() and failed: a 500 path."""
    from bot.sessions.keys import dedupe_key

    one, other = (
        dedupe_key("zalo_bot", "zalobot:\ud800", "m\ud800"),
        dedupe_key("zalo_bot", "zalobot:\ud800", "m\udfff"),
    )
    assert one != other and one.isascii()
