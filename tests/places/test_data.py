"""The CSV files in data/places/ against the seed and its stated counts."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest

from tests.places.conftest import PLACES_DIR, read_rows


@pytest.mark.parametrize(
    "name", ["communes.csv", "commune_predecessors.csv", "villages.csv", "villages_other.csv"]
)
def test_files_are_utf8_nfc_without_bom(name: str) -> None:
    raw = (PLACES_DIR / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert unicodedata.normalize("NFC", text) == text


def test_commune_counts_per_province(commune_rows: list[dict[str, str]]) -> None:
    assert len(commune_rows) == 205
    by_province = Counter(r["province"] for r in commune_rows)
    assert by_province == {"Sơn La": 75, "Lai Châu": 38, "Thái Nguyên": 92}
    types = Counter((r["province"], r["commune_type"]) for r in commune_rows)
    assert types[("Sơn La", "xa")] == 67 and types[("Sơn La", "phuong")] == 8
    assert types[("Lai Châu", "xa")] == 36 and types[("Lai Châu", "phuong")] == 2
    assert types[("Thái Nguyên", "xa")] == 77 and types[("Thái Nguyên", "phuong")] == 15
    assert len({r["commune_code"] for r in commune_rows}) == 205


def test_area_type_follows_commune_type(commune_rows: list[dict[str, str]]) -> None:
    for r in commune_rows:
        expected = ("rural", "C") if r["commune_type"] == "xa" else ("urban", "U")
        assert (r["area_type"], r["area_confidence"]) == expected, r["commune"]


def test_row_counts_match_the_seed_readme(
    predecessor_rows: list[dict[str, str]], village_rows: list[dict[str, str]]
) -> None:
    assert len(predecessor_rows) == 589
    assert len(read_rows("villages.csv")) == 28
    assert len(village_rows) == 28 + 78


def test_communes_keep_the_seed_columns() -> None:
    header = (PLACES_DIR / "communes.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == [
        "province",
        "province_code",
        "commune",
        "commune_type",
        "commune_code",
        "predecessors",
        "source",
        "confidence",
        "area_type",
        "area_confidence",
    ]


def test_nam_nieu_is_kept_as_seed(village_rows: list[dict[str, str]]) -> None:
    rows = [r for r in village_rows if r["village"] == "Nam Niệu"]
    assert len(rows) == 1
    assert rows[0]["commune"] == "phường Chiềng An" and rows[0]["confidence"] == "SEED"
