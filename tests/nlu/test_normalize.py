"""The normaliser: teencode, Telex leftovers, squeezing, and offsets into the original text."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.nlu.normalize import MAX_CHARS, Normalizer


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nhà e bị NGẬP", "nha em bi ngap"),
        ("nha e bi ngaaaap ko", "nha em bi ngap khong"),
        ("ko dc", "khong duoc"),
        ("đc k", "duoc khong"),
        ("ddc", "duoc"),  # Telex "dd" = đ, squeezed
        ("nhaf toi hoir ntn", "nha toi hoi nhu the nao"),
        ("duwowcj", "duoc"),
        ("vay bn, lai suat j", "vay bao nhieu lai suat gi"),
        ("cam on ạ", "cam on a"),  # "ạ" is not the abbreviation "a" (anh)
        ("hssv", "hoc sinh sinh vien"),
        ("yes", "yes"),
        ("1tr5 va 1000000", "1tr5 va 1000000"),  # numbers are left alone
    ],
)
def test_normalised_words(normalizer: Normalizer, text: str, folded: str) -> None:
    assert normalizer(text).folded == folded


def test_accented_text_keeps_diacritics_and_expands(normalizer: Normalizer) -> None:
    assert normalizer("Nhà e bị ngập ko").accented == "nhà em bị ngập không"


def test_token_spans_point_into_the_original(normalizer: Normalizer) -> None:
    text = "Nhà  e, bị NGẬP!!"
    norm = normalizer(text)
    spans = [norm.span(t.start, t.end) for t in norm.tokens]
    assert [text[s:e] for s, e in spans] == ["Nhà", "e", "bị", "NGẬP"]


def test_decomposed_input_maps_back_to_original_offsets(normalizer: Normalizer) -> None:
    text = unicodedata.normalize("NFD", "nhà bị ngập")
    assert len(text) > len("nhà bị ngập")
    norm = normalizer(text)
    assert norm.folded == "nha bi ngap"
    last = norm.tokens[-1]
    start, end = norm.span(last.start, last.end)
    assert unicodedata.normalize("NFC", text[start:end]) == "ngập"


def test_control_characters_and_emoji_are_not_words(normalizer: Normalizer) -> None:
    norm = normalizer("\x00ngap\x07 🙂\u200b")
    assert norm.folded == "ngap"
    assert len(norm.text) == len("\x00ngap\x07 🙂\u200b")


def test_long_text_is_capped(normalizer: Normalizer) -> None:
    norm = normalizer("ngap " * 2000)
    assert len(norm.text) == MAX_CHARS
    assert len(norm.tokens) == MAX_CHARS // 5


def test_abbreviation_with_diacritics_matches_only_that_spelling() -> None:
    n = Normalizer({"đc": "được", "e": "em"})
    assert n("đc").accented == "được"
    assert n("dc").accented == "dc"
    assert n("é").accented == "é"


@given(st.text(max_size=300))
def test_never_raises_and_spans_stay_in_range(text: str) -> None:
    n = Normalizer({"ko": "không", "e": "em"})
    norm = n(text)
    for t in norm.tokens:
        start, end = norm.span(t.start, t.end)
        assert 0 <= start < end <= len(text)


def test_table_with_yaml_booleans_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "abbreviations.yml"
    path.write_text("abbreviations:\n  ko: không\n  yes: yes\n", encoding="utf-8")
    with pytest.raises(ValueError, match="strings"):
        Normalizer.from_file(path)
