"""read_villages_csv: officers' village files, good and bad."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.places import Gazetteer, read_villages_csv
from tests.places.conftest import PLACES_DIR


@pytest.fixture
def gz() -> Gazetteer:
    """A fresh gazetteer per test (imports must not leak between tests)."""
    return Gazetteer.load(PLACES_DIR)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "villages_new.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_good_file_by_name(tmp_path: Path, gz: Gazetteer) -> None:
    path = write(
        tmp_path,
        "province,commune,village,village_type,display_name,confidence\n"
        "Sơn La,phường Chiềng An,Lả Mường,ban,,P\n"
        "Sơn La,chieng an,Co Pục,,,\n"  # no type word, no diacritics, defaults
        "son la,Mai Sơn,5,tieu_khu,Tiểu khu 5,\n"
        "tỉnh Lai Châu,xã Mù Cả,Nậm Củm,bản,,\n",  # Vietnamese type word
    )
    result = read_villages_csv(path, gz)
    assert result.errors == ()
    assert result.skipped_duplicates == 0
    got = [(v.id, v.name, v.display_name, v.village_type, v.confidence) for v in result.villages]
    mai_son = gz.find_communes("xã Mai Sơn", "Sơn La")[0].code
    mu_ca = gz.find_communes("xã Mù Cả", "Lai Châu")[0].code
    assert got == [
        ("03664:lả mường", "Lả Mường", "bản Lả Mường", "ban", "P"),
        ("03664:co pục", "Co Pục", "bản Co Pục", "ban", "C"),
        (f"{mai_son}:5", "5", "Tiểu khu 5", "tieu_khu", "C"),
        (f"{mu_ca}:nậm củm", "Nậm Củm", "bản Nậm Củm", "ban", "C"),
    ]
    # Nothing is added until the caller does it.
    assert gz.village("03664:lả mường") is None
    assert gz.add_villages(result.villages) == 4
    m = gz.match("nha em o ban la muong")[0]
    assert m.village is not None and m.village.id == "03664:lả mường"


def test_good_file_by_code_with_bom_and_crlf(tmp_path: Path, gz: Gazetteer) -> None:
    path = write(tmp_path, "\ufeffcommune_code,village\r\n03664,Hài Mới\r\n3664,Bản Mới\r\n")
    result = read_villages_csv(path, gz)
    assert result.errors == ()
    assert [v.id for v in result.villages] == ["03664:hài mới", "03664:bản mới"]


def test_the_seed_files_import_cleanly(gz: Gazetteer, village_rows: list[dict[str, str]]) -> None:
    empty = Gazetteer.from_records(gz.communes(), (), ())
    first = read_villages_csv(PLACES_DIR / "villages.csv", empty)
    assert first.errors == () and len(first.villages) == 28
    again = read_villages_csv(PLACES_DIR / "villages.csv", gz)  # already loaded
    assert again.villages == () and again.skipped_duplicates == 28


def test_duplicates_are_counted_not_added(tmp_path: Path, gz: Gazetteer) -> None:
    path = write(
        tmp_path,
        "province,commune,village\n"
        "Sơn La,phường Chiềng An,Nam Niệu\n"  # already known (seed)
        "Sơn La,phường Chiềng An,nam nieu\n"  # same id, other spelling
        "Sơn La,phường Chiềng An,Mới\n"
        "Sơn La,phường Chiềng An,Mới\n",  # repeated in the file
    )
    result = read_villages_csv(path, gz)
    assert [v.name for v in result.villages] == ["Mới"]
    assert result.skipped_duplicates == 3
    assert result.errors == ()


def test_bad_rows_report_their_line(tmp_path: Path, gz: Gazetteer) -> None:
    path = write(
        tmp_path,
        "province,commune,village,village_type,confidence\n"
        "Sơn La,phường Chiềng An,,ban,\n"  # 2: empty name
        "Sơn La,xã Không Có,Bản A,ban,\n"  # 3: unknown commune
        "Sơn La,xã Chiềng An,Bản B,ban,\n"  # 4: wrong type word for a phường
        "Hà Nội,phường Chiềng An,Bản C,ban,\n"  # 5: unknown province
        "Sơn La,phường Chiềng An,Bản D,làng,\n"  # 6: unknown village type
        "Sơn La,phường Chiềng An,Bản E,ban,X\n"  # 7: unknown confidence
        ",,,,\n"  # blank row: ignored
        "Sơn La,phường Chiềng An,Tốt,ban,\n",  # 9: fine
    )
    result = read_villages_csv(path, gz)
    assert [line for line, _ in result.errors] == [2, 3, 4, 5, 6, 7]
    assert [v.name for v in result.villages] == ["Tốt"]
    for _, message in result.errors:
        assert " / " in message  # Vietnamese / English
    assert "trống" in result.errors[0][1] and "empty" in result.errors[0][1]


def test_ambiguous_commune_name_needs_a_code(tmp_path: Path, gz: Gazetteer) -> None:
    # Thái Nguyên has xã Văn Lang and xã Văn Lăng: the same without diacritics.
    path = write(tmp_path, "province,commune,village\nThái Nguyên,van lang,Nà Mới\n")
    result = read_villages_csv(path, gz)
    assert result.villages == ()
    [(line, message)] = result.errors
    assert line == 2 and "commune_code" in message
    # Written with its exact diacritics, the name is no longer ambiguous.
    exact = write(tmp_path, "province,commune,village\nThái Nguyên,xã Văn Lăng,Nà Mới\n")
    assert [v.id for v in read_villages_csv(exact, gz).villages] == ["05665:nà mới"]


def test_unknown_code(tmp_path: Path, gz: Gazetteer) -> None:
    result = read_villages_csv(write(tmp_path, "commune_code,village\n99999,A\n"), gz)
    assert [line for line, _ in result.errors] == [2]
    assert "99999" in result.errors[0][1]


@pytest.mark.parametrize(
    "text",
    [
        "tinh,xa,ban\nSơn La,Chiềng An,Hụm\n",
        "province,village\nSơn La,Hụm\n",  # no commune column
        "",
        "commune_code\n03664\n",  # no village column
    ],
)
def test_wrong_header_is_one_error(tmp_path: Path, gz: Gazetteer, text: str) -> None:
    result = read_villages_csv(write(tmp_path, text), gz)
    assert result.villages == () and result.skipped_duplicates == 0
    assert len(result.errors) == 1 and result.errors[0][0] == 1
    assert "header" in result.errors[0][1]


def test_non_utf8_file(tmp_path: Path, gz: Gazetteer) -> None:
    # Windows-1258 bytes, as an old Excel would save "Sơn La": 0xF5 is "ơ" there.
    path = tmp_path / "villages_new.csv"
    path.write_bytes(b"province,commune,village\nS\xf5n La,Chi\xeang An,Hum\n")
    result = read_villages_csv(path, gz)
    assert result.villages == ()
    [(line, message)] = result.errors
    assert line == 2 and "UTF-8" in message


def test_missing_file(tmp_path: Path, gz: Gazetteer) -> None:
    result = read_villages_csv(tmp_path / "nope.csv", gz)
    assert result.villages == () and len(result.errors) == 1


def test_names_differing_only_in_tone_marks_are_two_villages(tmp_path: Path, gz: Gazetteer) -> None:
    # xã Chiềng Sơ really has both bản Cang and bản Cảng (seed data).
    chieng_so = [v.name for v in gz.villages_of(gz.find_communes("Chiềng Sơ")[0].code)]
    assert "Cang" in chieng_so and "Cảng" in chieng_so
    path = write(tmp_path, "province,commune,village\nSơn La,phường Chiềng An,Nằm Niệu\n")
    assert [v.name for v in read_villages_csv(path, gz).villages] == ["Nằm Niệu"]
