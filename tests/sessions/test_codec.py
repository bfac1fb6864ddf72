"""The shared JSON codec: compact, keeps Vietnamese as UTF-8, strict about what it accepts."""

from __future__ import annotations

import pytest

from bot.sessions.codec import check_ttl, decode, encode


def test_encoding_is_compact_utf8_json() -> None:
    assert encode({"bản": "Nà Pó", "n": [1, 2]}) == '{"bản":"Nà Pó","n":[1,2]}'
    assert decode('{"bản":"Nà Pó"}'.encode()) == {"bản": "Nà Pó"}


def test_circular_state_is_a_type_error() -> None:
    state: dict[str, object] = {}
    state["self"] = state
    with pytest.raises(TypeError, match="strict JSON"):
        encode(state)


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "null"])
def test_stored_value_must_be_an_object(raw: str) -> None:
    with pytest.raises(ValueError, match="not a JSON object"):
        decode(raw)


@pytest.mark.parametrize("ttl", [0, -1, True, 1.5, "60"])
def test_ttl_must_be_a_positive_int(ttl: object) -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        check_ttl(ttl)  # type: ignore[arg-type]


def test_valid_ttl_passes_through() -> None:
    assert check_ttl(172_800) == 172_800
