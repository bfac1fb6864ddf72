"""Tokenising and type-word recognition."""

from __future__ import annotations

from bot.places.names import split_type, tokenize, type_phrases


def test_tokens_are_aligned_and_folded() -> None:
    toks = tokenize("Nhà em ở  b.Nam-Niệu, TK4 Đồng")
    assert toks.folded == ("nha", "em", "o", "b", "nam", "nieu", "tk", "4", "dong")
    assert toks.raw == ("nhà", "em", "ở", "b", "nam", "niệu", "tk", "4", "đồng")
    assert [toks.text[a:b] for a, b in toks.spans][4:6] == ["Nam", "Niệu"]
    assert all(len(r) == len(f) for r, f in zip(toks.raw, toks.folded, strict=True))


def test_decomposed_input_is_composed_first() -> None:
    assert tokenize("Chie\u0300\u0302ng")  # NFD "Chiềng" with marks in any order
    assert tokenize("Chiê\u0300ng").raw == ("chiềng",)


def test_type_phrases_prefer_the_longest() -> None:
    toks = tokenize("thị xã Mộc Châu tiểu khu 4 tổ dân phố 2 tp Sơn La p. Chiềng An")
    found = {toks.folded[start]: canon for _, (canon, start) in type_phrases(toks).items()}
    assert found == {
        "thi": "thi_xa",
        "tieu": "tieu_khu",
        "to": "to_dan_pho",
        "tp": "thanh_pho",
        "p": "phuong",
    }


def test_a_marked_word_is_not_a_type_word() -> None:
    assert type_phrases(tokenize("bán bò")) == {}
    assert type_phrases(tokenize("bản bò")) == {1: ("ban", 0)}
    assert type_phrases(tokenize("ban bo")) == {1: ("ban", 0)}


def test_split_type() -> None:
    t, toks = split_type("Thành Phố Bắc Kạn")
    assert t == "thanh_pho" and toks.folded == ("bac", "kan")
    t, toks = split_type("Chiềng An")
    assert t is None and toks.folded == ("chieng", "an")
    t, toks = split_type("xã")  # a type word alone is a name, not a type
    assert t is None and toks.folded == ("xa",)
