"""Any str in, a list out, quickly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.places import PlaceMatch
from bot.places import Gazetteer

JUNK = [
    "",
    " ",
    "\x00\x01\x02\x7f",
    "\u200b\u200d\ufeff",
    "😀🌧️🏠" * 50,
    "x" * 5000,
    ("nha em bi ngap " * 400)[:5000],
    ("bản Nam Niệu phường Chiềng An " * 200)[:5000],
    "b. p. x. h. tk tdp tp tinh",
    "\u0300\u0301\u0303",  # lone combining marks
    "İstanbul ǅ ß ﬁ",  # letters that change length when lower-cased or folded
    "١٢٣ 四五六",
]


def _check(found: list[PlaceMatch], limit: int = 5) -> None:
    assert isinstance(found, list) and len(found) <= limit
    assert all(0.0 <= m.score <= 100.0 for m in found)


def test_junk_never_raises(gz: Gazetteer) -> None:
    for text in JUNK:
        _check(gz.match(text))
        _check(gz.match(text, commune_code="03664", limit=2), 2)
        _check(gz.match(text, commune_code="nope"))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_never_raises(gz: Gazetteer, text: str) -> None:
    _check(gz.match(text))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "bản",
                "ban",
                "b.",
                "xã",
                "x",
                "p",
                "tk",
                "huyện",
                "nam",
                "nieu",
                "Chiềng",
                "an",
                "xom",
                "mù",
                "cả",
                "4",
                ",",
                "ở",
                "tinh",
                "Sơn",
                "La",
                "  ",
            ]
        ),
        max_size=12,
    ).map(" ".join)
)
def test_place_like_word_salad_never_raises(gz: Gazetteer, text: str) -> None:
    _check(gz.match(text, limit=10), 10)


def test_long_text_reads_only_the_start(gz: Gazetteer) -> None:
    filler = "nha em bi ngap " * 100  # 1,500 characters
    assert gz.match(filler + "ban nam nieu") == []
    assert gz.match("ban nam nieu " + filler)[0].village is not None
