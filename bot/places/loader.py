"""Reading ``data/places/`` CSV files into domain records (see data/places/README.md)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, cast

from bot.domain.places import AreaType, Commune, Village
from bot.places.names import DISPLAY, key, split_type
from bot.textnorm import fold, nfc

COMMUNES_CSV = "communes.csv"
PREDECESSORS_CSV = "commune_predecessors.csv"
VILLAGES_GLOB = "villages*.csv"  # villages.csv, villages_other.csv, and any officer file


def rows(path: Path) -> Iterator[dict[str, str]]:
    """CSV rows as NFC-stripped strings (UTF-8, optional BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            yield {k: nfc(v or "").strip() for k, v in row.items() if k is not None}


def read_communes(path: Path) -> list[Commune]:
    """``communes.csv`` -> communes; raises ValueError on an unknown type or area type."""
    out = []
    for row in rows(path):
        if row["commune_type"] not in ("xa", "phuong"):
            raise ValueError(f"{path}: unknown commune_type {row['commune_type']!r}")
        if row["area_type"] not in ("rural", "urban"):
            raise ValueError(f"{path}: unknown area_type {row['area_type']!r}")
        out.append(
            Commune(
                code=row["commune_code"],
                name=row["commune"],
                type=cast(Literal["xa", "phuong"], row["commune_type"]),
                province=row["province"],
                province_code=row["province_code"],
                area_type=cast(AreaType, row["area_type"]),
                area_confidence=row["area_confidence"],
                predecessors=tuple(p for p in row["predecessors"].split("; ") if p),
            )
        )
    return out


def read_predecessors(path: Path) -> list[tuple[str, str, str]]:
    """``commune_predecessors.csv`` -> (former unit with type word, former district, new code).

    The former district's type word is lower-cased ("huyện Mai Sơn"). When the GSO list spells
    the former unit differently from the resolution ("Nà Pó" / "Nà Bó"), both are returned.
    """
    out: list[tuple[str, str, str]] = []
    for row in rows(path):
        dtype, dtoks = split_type(row["former_district"])
        district = row["former_district"]
        if dtype and dtoks.spans:
            district = f"{DISPLAY[dtype]} {district[dtoks.spans[0][0] :]}"
        ftype = row["former_type"].lower()
        out.append((f"{ftype} {row['former_unit']}", district, row["commune_code"]))
        _, gtoks = split_type(row["former_name_in_gso_list"])
        if gtoks.folded and key(gtoks) != fold(row["former_unit"]):
            gso = row["former_name_in_gso_list"][gtoks.spans[0][0] :]
            out.append((f"{ftype} {gso}", district, row["commune_code"]))
    return out


def village_id(commune_code: str, name: str) -> str:
    """The stable village id: ``"03664:nam niệu"`` (NFC, lower case, single spaces).

    Diacritics stay: bản Cang and bản Cảng of xã Chiềng Sơ are two villages.
    """
    return f"{commune_code}:{' '.join(nfc(name).lower().split())}"


def make_village(
    commune_code: str,
    name: str,
    village_type: str,
    display_name: str = "",
    confidence: str = "C",
) -> Village:
    """A :class:`Village` with its id and a display name ("bản Panh") when none is given."""
    name = nfc(name).strip()
    shown = nfc(display_name).strip() or f"{DISPLAY.get(village_type, 'bản')} {name}"
    return Village(
        id=village_id(commune_code, name),
        name=name,
        display_name=shown,
        village_type=village_type,
        commune_code=commune_code,
        confidence=confidence,
    )
