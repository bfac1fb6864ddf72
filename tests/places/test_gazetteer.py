"""Gazetteer lookups, construction from records, and adding villages."""

from __future__ import annotations

from bot.domain.places import Commune, Village
from bot.places import Gazetteer
from bot.places.loader import make_village, village_id
from bot.ports import PlaceLookup


def test_implements_place_lookup(gz: Gazetteer) -> None:
    lookup: PlaceLookup = gz  # checked by mypy against the Protocol
    assert lookup.commune("03664") is not None


def test_commune_records(gz: Gazetteer, commune_rows: list[dict[str, str]]) -> None:
    assert len(gz.communes()) == 205
    assert [len(gz.communes(p)) for p in ("Sơn La", "lai chau", "THÁI NGUYÊN")] == [75, 38, 92]
    chieng_an = gz.commune("03664")
    assert chieng_an is not None
    assert (chieng_an.name, chieng_an.type, chieng_an.province, chieng_an.province_code) == (
        "Chiềng An",
        "phuong",
        "Sơn La",
        "14",
    )
    assert (chieng_an.area_type, chieng_an.area_confidence) == ("urban", "U")
    assert chieng_an.predecessors == (
        "phường Chiềng An (thành phố Sơn La)",
        "xã Chiềng Xôm (thành phố Sơn La)",
        "xã Chiềng Đen (thành phố Sơn La)",
    )
    rural = [c for c in gz.communes() if c.type == "xa"]
    assert {(c.area_type, c.area_confidence) for c in rural} == {("rural", "C")}
    assert gz.commune("99999") is None


def test_villages(gz: Gazetteer, village_rows: list[dict[str, str]]) -> None:
    nam_nieu = gz.village("03664:nam niệu")
    assert nam_nieu is not None
    assert (nam_nieu.name, nam_nieu.display_name, nam_nieu.village_type) == (
        "Nam Niệu",
        "bản Nam Niệu",
        "ban",
    )
    expected = sorted(r["village"] for r in village_rows if r["commune"] == "phường Chiềng An")
    assert sorted(v.name for v in gz.villages_of("03664")) == expected
    assert len(expected) == 14
    assert gz.villages_of("99999") == []
    assert gz.village("03664:nope") is None
    assert village_id("03664", "Tò Lọ") == "03664:tò lọ"


def test_find_communes(gz: Gazetteer) -> None:
    assert [c.code for c in gz.find_communes("phường Chiềng An", "Sơn La")] == ["03664"]
    assert [c.code for c in gz.find_communes("chieng an")] == ["03664"]
    assert gz.find_communes("xã Chiềng An") == []  # wrong type word
    assert {c.province for c in gz.find_communes("Tân Phong")} == {"Sơn La", "Lai Châu"}
    assert [c.province for c in gz.find_communes("Tân Phong", "Lai Châu")] == ["Lai Châu"]
    assert gz.find_communes("huyện Mai Sơn") == []


def _small() -> Gazetteer:
    communes = [
        Commune("00001", "Chiềng An", "phuong", "Sơn La", "14", "urban", "U"),
        Commune("00002", "Mai Sơn", "xa", "Sơn La", "14", "rural", "C"),
    ]
    villages = [make_village("00001", "Nam Niệu", "ban", confidence="SEED")]
    predecessors = [
        ("xã Chiềng Xôm", "thành phố Sơn La", "00001"),
        ("xã Hát Lót", "huyện Mai Sơn", "00002"),
        ("xã Cò Nòi", "huyện Mai Sơn", "00002"),
    ]
    return Gazetteer.from_records(communes, villages, predecessors)


def test_from_records() -> None:
    gz = _small()
    m = gz.match("nha em o ban nam nieu")[0]
    assert m.village is not None and m.village.id == "00001:nam niệu"
    assert gz.match("xa chieng xom")[0].via_predecessor == "xã Chiềng Xôm"
    district = gz.match("huyện Mai Sơn")
    assert [(m.commune.code, m.via_predecessor) for m in district] == [("00002", "huyện Mai Sơn")]


def test_add_villages_is_matched_and_idempotent() -> None:
    gz = _small()
    assert gz.match("bản Hụm") == []
    hum = make_village("00001", "Hụm", "ban")
    assert gz.add_villages([hum]) == 1
    assert gz.add_villages([hum]) == 0
    unknown_commune = Village("77777:x", "X", "bản X", "ban", "77777", "C")
    assert gz.add_villages([unknown_commune]) == 0
    m = gz.match("ban hum")[0]
    assert m.village == hum and m.village.display_name == "bản Hụm"
    assert gz.villages_of("00001") == [hum, gz.village("00001:nam niệu")]
