"""Gazetteer.match on the real data: how villagers write place names."""

from __future__ import annotations

import pytest

from bot.domain.places import PlaceMatch
from bot.places import Gazetteer

CHIENG_AN = "03664"  # phường Chiềng An (kept the code of former xã Chiềng Xôm)
NAM_NIEU = "03664:nam niệu"


def top(gz: Gazetteer, text: str, **kw: object) -> PlaceMatch:
    found = gz.match(text, **kw)  # type: ignore[arg-type]
    assert found, f"no match for {text!r}"
    return found[0]


@pytest.mark.parametrize(
    "text",
    [
        "bản Nam Niệu",
        "Bản Nam Niệu",
        "ban nam nieu",
        "BAN NAM NIEU",
        "  nam   nieu  ",
        "b. Nam Niệu",
        "Nam Niệu",
        "nhà em ở bản Nam Niệu phường Chiềng An bị ngập",
        "nha em o ban nam nieu phuong chieng an bi ngap",
        "nha em o b.nam nieu, p.chieng an",
        "tai ban Nam Nieu, Chieng An",
        "Bản Nam Niệu, phường Chiềng An, tỉnh Sơn La",
    ],
)
def test_nam_nieu_in_any_spelling(gz: Gazetteer, text: str) -> None:
    m = top(gz, text)
    assert m.village is not None and m.village.id == NAM_NIEU
    assert m.commune.code == CHIENG_AN and m.commune.display_name == "phường Chiềng An"
    assert m.village.confidence == "SEED"


def test_village_with_its_commune_scores_full_and_absorbs_the_commune(gz: Gazetteer) -> None:
    found = gz.match("nhà em ở bản Nam Niệu phường Chiềng An bị ngập")
    assert found[0].score == 100.0
    assert found[0].matched == "bản Nam Niệu, phường Chiềng An"
    # No separate commune-only result for Chiềng An: the village result already says it.
    assert [m for m in found if m.commune.code == CHIENG_AN and m.village is None] == []


def test_scores_are_ordered_and_bounded(gz: Gazetteer) -> None:
    for text in ["chieng an", "huyện Mai Sơn", "phuong chieng ann", "doan ket", "tan phong"]:
        found = gz.match(text, limit=20)
        scores = [m.score for m in found]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 100.0 for s in scores)


@pytest.mark.parametrize("text", ["xã Chiềng Xôm", "chieng xom", "x. chieng xom", "Chiềng Xôm"])
def test_former_chieng_xom_resolves_to_chieng_an(gz: Gazetteer, text: str) -> None:
    m = top(gz, text)
    assert m.commune.code == CHIENG_AN and m.village is None
    assert m.via_predecessor == "xã Chiềng Xôm"


@pytest.mark.parametrize("text", ["xã Chiềng Đen", "chieng den", "xa Chieng Den"])
def test_former_chieng_den_resolves_to_chieng_an(gz: Gazetteer, text: str) -> None:
    m = top(gz, text)
    assert m.commune.code == CHIENG_AN
    assert m.via_predecessor == "xã Chiềng Đen"


def test_current_name_has_no_via(gz: Gazetteer) -> None:
    m = top(gz, "phường Chiềng An")
    assert m.commune.code == CHIENG_AN and m.via_predecessor is None and m.score == 100.0


def test_predecessor_rows_all_resolve(
    gz: Gazetteer, predecessor_rows: list[dict[str, str]]
) -> None:
    """Every former unit, typed "xã X" etc., finds the new commune it went into."""
    for r in predecessor_rows:
        text = f"{r['former_type']} {r['former_unit']}"
        codes = {m.commune.code for m in gz.match(text, limit=20)}
        assert r["commune_code"] in codes, text


@pytest.mark.parametrize("text", ["huyện Mai Sơn", "huyen mai son", "h. Mai Sơn"])
def test_former_district_lists_its_new_communes(
    gz: Gazetteer, predecessor_rows: list[dict[str, str]], text: str
) -> None:
    expected = {
        r["commune_code"] for r in predecessor_rows if r["former_district"] == "Huyện Mai Sơn"
    }
    assert len(expected) == 8
    found = gz.match(text, limit=20)
    assert {m.commune.code for m in found} == expected
    assert {m.via_predecessor for m in found} == {"huyện Mai Sơn"}
    assert all(m.village is None for m in found)
    assert len(gz.match(text)) == 5  # the default limit still applies


def test_xa_mai_son_is_the_new_commune(gz: Gazetteer, commune_rows: list[dict[str, str]]) -> None:
    code = next(r["commune_code"] for r in commune_rows if r["commune"] == "Mai Sơn")
    for text in ["xã Mai Sơn", "xa mai son", "mai son"]:
        found = gz.match(text)
        assert found[0].commune.code == code and found[0].via_predecessor is None
        assert len(found) == 1, text


def test_bare_province_is_not_a_commune(gz: Gazetteer) -> None:
    assert gz.match("Sơn La") == []
    assert gz.match("tinh lai chau") == []


def test_former_city_by_type_word(gz: Gazetteer, predecessor_rows: list[dict[str, str]]) -> None:
    expected = {
        r["commune_code"] for r in predecessor_rows if r["former_district"] == "Thành phố Sơn La"
    }
    found = gz.match("tp Sơn La", limit=20)
    assert {m.commune.code for m in found} == expected
    assert {m.via_predecessor for m in found} == {"thành phố Sơn La"}


@pytest.mark.parametrize(
    ("text", "village_id"),
    [
        ("nam nieuu", NAM_NIEU),
        ("ban nam nieuu", NAM_NIEU),
        ("ban nam nieuu phuong chieng an", NAM_NIEU),
        ("nha em o nam nieuu bi ngap", NAM_NIEU),
        ("ban panhh", "03664:panh"),
        ("ban to loo xa chieng den", "03664:tò lọ"),
    ],
)
def test_typos_in_village_names(gz: Gazetteer, text: str, village_id: str) -> None:
    m = top(gz, text)
    assert m.village is not None and m.village.id == village_id
    assert m.score < 100.0  # a fuzzy match never scores like an exact one


@pytest.mark.parametrize("text", ["chieng xomm", "nha em o chiengg xom", "chiengxom"])
def test_typos_in_former_commune_names(gz: Gazetteer, text: str) -> None:
    m = top(gz, text)
    assert m.commune.code == CHIENG_AN and m.via_predecessor == "xã Chiềng Xôm"


def test_diacritics_decide_between_an_and_an(gz: Gazetteer) -> None:
    """ "chieng an" is phường Chiềng An first; typed "Chiềng Ân" is the former xã in Mường La."""
    plain = gz.match("chieng an")
    assert plain[0].commune.code == CHIENG_AN and plain[0].via_predecessor is None
    assert "xã Chiềng Ân" in {m.via_predecessor for m in plain}
    marked = gz.match("Chiềng Ân")
    assert marked[0].via_predecessor == "xã Chiềng Ân"
    assert marked[0].commune.code != CHIENG_AN
    assert gz.match("Chiềng An")[0].commune.code == CHIENG_AN


def test_ambiguous_village_returns_both(gz: Gazetteer, village_rows: list[dict[str, str]]) -> None:
    communes = {r["commune"] for r in village_rows if r["village"] == "Phìn Khò"}
    assert communes == {"xã Mù Cả", "xã Bum Tở"}
    found = gz.match("bản Phìn Khò")
    assert {m.commune.display_name for m in found if m.village} == communes
    assert found[0].score == found[1].score


def test_commune_restricts_villages(gz: Gazetteer) -> None:
    bum_to = next(c.code for c in gz.communes("Lai Châu") if c.name == "Bum Tở")
    found = gz.match("bản Phìn Khò", commune_code=bum_to)
    assert [(m.commune.code, m.village.name if m.village else None) for m in found] == [
        (bum_to, "Phìn Khò")
    ]
    assert gz.match("bản Nam Niệu", commune_code=bum_to) == []


def test_commune_code_lets_a_bare_short_name_count(gz: Gazetteer) -> None:
    """ "o panh" is too common-looking alone, but fine once we know the commune."""
    assert [m for m in gz.match("nha em o panh") if m.village] == []
    m = top(gz, "nha em o panh", commune_code=CHIENG_AN)
    assert m.village is not None and m.village.id == "03664:panh"


def test_village_named_in_a_text_with_its_commune_wins(gz: Gazetteer) -> None:
    # bản Cang exists in xã Chiềng Sơ and xã Chiềng Hặc; the commune named picks one.
    found = gz.match("bản Cang xã Chiềng Hặc")
    assert found[0].village is not None and found[0].commune.name == "Chiềng Hặc"
    others = [m for m in found if m.village and m.commune.name == "Chiềng Sơ"]
    assert others and others[0].score < found[0].score


def test_village_and_commune_of_the_same_name(gz: Gazetteer) -> None:
    mu_ca = next(c.code for c in gz.communes("Lai Châu") if c.name == "Mù Cả")
    bare = gz.match("mu ca")
    assert (bare[0].commune.code, bare[0].village) == (mu_ca, None)
    assert bare[1].village is not None and bare[1].village.id == f"{mu_ca}:mù cả"
    assert top(gz, "xã Mù Cả").village is None
    vill = top(gz, "bản Mù Cả")
    assert vill.village is not None and vill.commune.code == mu_ca
    both = top(gz, "ban mu ca xa mu ca")
    assert both.village is not None and both.score == 100.0


def test_villages_of_another_commune_rank_below(gz: Gazetteer) -> None:
    found = gz.match("ban panh xa mu ca")
    assert found[0].commune.name == "Mù Cả" and found[0].village is None
    assert any(m.village and m.village.name == "Panh" for m in found[1:])


def test_village_type_words(gz: Gazetteer) -> None:
    for text in ["tiểu khu 4 xã Mai Sơn", "tk4 mai son", "tieu khu 4, xa mai son"]:
        m = top(gz, text)
        assert m.village is not None and m.village.display_name == "tiểu khu 4", text
    m = top(gz, "tk 6-1 xã Chiềng Mai")
    assert m.village is not None and m.village.name == "6-1"


def test_province_named_demotes_other_provinces(gz: Gazetteer) -> None:
    found = gz.match("Tân Phong, Lai Châu")
    assert found[0].commune.province == "Lai Châu"
    assert all(m.commune.province == "Lai Châu" for m in found if m.score == found[0].score)


def test_everyday_words_are_not_places(gz: Gazetteer) -> None:
    for text in [
        "nha toi bi ngap het roi can giup do gap",
        "toi muon hoi ve vay von ngan hang chinh sach",
        "cho em hoi ho ngheo duoc ho tro gi",
        "con bò nhà tôi bị ốm",
        "ok",
        "nha em o xa lam",
    ]:
        assert gz.match(text) == [], text


def test_a_marked_verb_is_not_a_type_word(gz: Gazetteer) -> None:
    """ "bán" (sell) is not "bản": "bán Bó" must not read as bản Bó."""
    assert [m for m in gz.match("tôi bán Bó") if m.village] == []
    m = top(gz, "tôi ở bản Bó")  # not xã "Bản Bo" (Lai Châu): the marks differ
    assert m.village is not None and m.village.name == "Bó"
    # Unmarked, both readings are possible and both are offered.
    found = gz.match("toi o ban bo")
    assert {(m.commune.name, m.village.name if m.village else None) for m in found} >= {
        ("Bản Bo", None),
        ("Chiềng An", "Bó"),
    }


def test_limit(gz: Gazetteer) -> None:
    assert gz.match("huyện Mai Sơn", limit=3) == gz.match("huyện Mai Sơn", limit=20)[:3]
    assert gz.match("huyện Mai Sơn", limit=0) == []
    assert gz.match("huyện Mai Sơn", limit=-1) == []
