"""Reference codes: alphabet, prefixes and normalisation of what residents type back."""

from __future__ import annotations

import re

import pytest

from bot.store.refs import ALPHABET, PREFIXES, make_ref, normalize_ref, random_code


def test_alphabet_has_no_look_alikes_and_31_symbols() -> None:
    assert not set("0O1IL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31
    assert set(ALPHABET) == set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")


def test_random_codes_use_only_the_alphabet_and_vary() -> None:
    codes = {random_code() for _ in range(2000)}
    assert all(re.fullmatch(f"[{ALPHABET}]{{6}}", c) for c in codes)
    # 2000 draws from 887 million: one repeat happens about once in 440 runs (birthday
    # bound); more than two means a broken generator
    assert len(codes) >= 1998
    assert set("".join(codes)) == set(ALPHABET)  # every symbol gets used


@pytest.mark.parametrize(
    ("kind", "prefix"),
    [
        ("disaster", "TT"),
        ("household_change", "BD"),
        ("eligibility_request", "RS"),
        ("handover", "CB"),
    ],
)
def test_prefix_per_type(kind: str, prefix: str) -> None:
    assert PREFIXES[kind] == prefix
    assert make_ref(kind, "7K3Q9M") == f"{prefix}-7K3Q9M"


def test_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="flood"):
        make_ref("flood", "7K3Q9M")


@pytest.mark.parametrize(
    "typed",
    ["TT-7K3Q9M", "tt-7k3q9m", "TT7K3Q9M", "  tt7k3q9m\n", "tt 7k3q9m", "Tt - 7K3q9m", "TT_7K3Q9M"],
)
def test_normalize_accepts_what_residents_type(typed: str) -> None:
    assert normalize_ref(typed) == "TT-7K3Q9M"


@pytest.mark.parametrize(
    "typed",
    ["", "TT-7K3Q9", "TT-7K3Q9MM", "XX-7K3Q9M", "TT-7K3Q0M", "TT-7K3QOM", "TT-IK3Q9M", "7K3Q9M"],
)
def test_normalize_refuses_non_codes(typed: str) -> None:
    assert normalize_ref(typed) is None
