"""Splitting long text at natural boundaries under an arbitrary length predicate."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.split import split_text


def at_most(n: int) -> Callable[[str], bool]:
    return lambda s: len(s) <= n


def test_short_text_is_one_part_and_stripped() -> None:
    assert split_text("  xin chào \n", at_most(50)) == ["xin chào"]
    assert split_text("   ", at_most(50)) == []


def test_prefers_paragraph_then_line_then_sentence() -> None:
    text = "Dòng một khá dài.\nDòng hai.\n\nĐoạn hai ở đây."
    # Room 30: the paragraph break (at 27) is within the room and past the half-way mark.
    assert split_text(text, at_most(30)) == ["Dòng một khá dài.\nDòng hai.", "Đoạn hai ở đây."]
    # Room 22: no paragraph break inside; the line break at 17 wins over the space at 20.
    assert split_text(text, at_most(22))[0] == "Dòng một khá dài."


def test_sentence_end_beats_a_later_space() -> None:
    text = "Bà con cần mang sổ hộ khẩu. Cán bộ sẽ kiểm tra tại nhà văn hoá."
    parts = split_text(text, at_most(40))
    assert parts[0] == "Bà con cần mang sổ hộ khẩu."


def test_early_boundary_is_skipped_to_avoid_a_wasted_part() -> None:
    # A line break at position 3 would leave a 3-character part; a space later is better.
    text = "Có.\n" + "chữ " * 30
    parts = split_text(text, at_most(40))
    assert len(parts[0]) > 20


def test_a_single_long_word_is_cut() -> None:
    assert split_text("a" * 25, at_most(10)) == ["a" * 10, "a" * 10, "a" * 5]


def test_limit_below_one_character_raises() -> None:
    with pytest.raises(ValueError, match="too small"):
        split_text("abc", at_most(0))


words = st.lists(
    st.text(alphabet="abcdđêôơưăáàảãạệ", min_size=1, max_size=10), min_size=1, max_size=60
)
separators = st.sampled_from([" ", " ", " ", ". ", "\n", "\n\n", ", "])


@given(words=words, seps=st.lists(separators, min_size=60, max_size=60), room=st.integers(12, 80))
def test_parts_fit_lose_nothing_and_never_cut_words(
    words: list[str], seps: list[str], room: int
) -> None:
    text = "".join(w + s for w, s in zip(words, seps, strict=False))
    parts = split_text(text, at_most(room))
    assert all(0 < len(p) <= room for p in parts)
    # Same words in the same order: nothing lost, and no word (at most 11 characters with its
    # punctuation, so under the room) was cut, since a cut word would show as two tokens.
    assert " ".join(parts).split() == text.split()
