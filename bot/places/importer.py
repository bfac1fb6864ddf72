"""Parsing and validating an officer's village CSV (``banbot places import FILE.csv``).

Columns (header row required, UTF-8, extra columns ignored):

- ``village`` (required): the bare name, "Panh", "4", "6-1";
- the commune, either ``commune_code`` (2025 code, "03664") or ``province`` + ``commune``
  ("Sơn La", "phường Chiềng An" / "Chiềng An" / "chieng an"; unambiguous in the province);
- ``village_type`` (optional, default ``ban``): ban, thon, xom, tieu_khu, to_dan_pho, or the
  Vietnamese words "bản", "thôn", "xóm", "tiểu khu", "tổ dân phố";
- ``display_name`` (optional, default "bản Panh"), ``confidence`` (optional, default C).

Nothing is saved here: the caller adds ``result.villages`` to the gazetteer and the database.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.domain.places import Village
from bot.places.loader import make_village
from bot.places.names import VILLAGE_TYPES, split_type
from bot.textnorm import fold, nfc

if TYPE_CHECKING:
    from bot.places.gazetteer import Gazetteer

CONFIDENCES = frozenset({"C", "P", "U", "H", "SEED"})
_TYPE_ALIASES = {"tdp": "to_dan_pho", "tk": "tieu_khu"}


@dataclass(frozen=True, slots=True)
class ImportResult:
    """New villages to add, errors as (line number, "Vietnamese / English"), duplicates seen."""

    villages: tuple[Village, ...]
    errors: tuple[tuple[int, str], ...]
    skipped_duplicates: int


def read_villages_csv(path: Path, gazetteer: Gazetteer) -> ImportResult:
    """Read and check ``path``; villages already known (or repeated in the file) are skipped."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _fail(0, f"Không đọc được tệp. / Cannot read the file: {exc.strerror}.")
    try:
        text = nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return _fail(line, "Tệp không phải UTF-8. / The file is not UTF-8 encoded.")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = {fold(h) for h in reader.fieldnames or ()}
    if "village" not in header or not (
        {"commune_code"} <= header or {"province", "commune"} <= header
    ):
        return _fail(
            1,
            "Dòng tiêu đề phải có cột village và commune_code (hoặc province và commune). / "
            "The header must have a village column and commune_code (or province and commune).",
        )
    villages: list[Village] = []
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    duplicates = 0
    for row in reader:
        line = reader.line_num
        values = {fold(k): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        if not any(values.values()):
            continue
        made = _village(values, gazetteer)
        if isinstance(made, str):
            errors.append((line, made))
        elif made.id in seen or _known(made, gazetteer, villages):
            duplicates += 1
        else:
            seen.add(made.id)
            villages.append(made)
    return ImportResult(tuple(villages), tuple(errors), duplicates)


def _known(made: Village, gazetteer: Gazetteer, pending: list[Village]) -> bool:
    """Already in the gazetteer (or earlier in the file).

    A name written without any diacritics ("nam nieu") is the same village as a known one that
    folds to it ("Nam Niệu"); a name *with* marks is its own village: bản Cang is not bản Cảng.
    """
    if gazetteer.village(made.id) is not None:
        return True
    if fold(made.name) != made.name.lower():
        return False
    key = fold(made.name)
    existing = [*gazetteer.villages_of(made.commune_code), *pending]
    return any(v.commune_code == made.commune_code and fold(v.name) == key for v in existing)


def _village(values: dict[str, str], gazetteer: Gazetteer) -> Village | str:
    """One row -> a Village, or the error message."""
    name = " ".join(values.get("village", "").split())
    if not name:
        return "Tên bản trống. / The village name is empty."
    commune = _commune_code(values, gazetteer)
    if commune.startswith("!"):
        return commune[1:]
    vtype = _village_type(values.get("village_type", ""))
    if vtype is None:
        return (
            f"Loại bản không hợp lệ: {values['village_type']!r}. / Unknown village_type "
            f"(use ban, thon, xom, tieu_khu, to_dan_pho)."
        )
    confidence = values.get("confidence", "").upper() or "C"
    if confidence not in CONFIDENCES:
        return f"Độ tin cậy không hợp lệ: {confidence!r}. / Unknown confidence (C, P, U, H, SEED)."
    return make_village(commune, name, vtype, values.get("display_name", ""), confidence)


def _commune_code(values: dict[str, str], gazetteer: Gazetteer) -> str:
    """The commune code, or "!" + error message."""
    code = values.get("commune_code", "")
    if code:
        code = code.zfill(5) if code.isdigit() else code
        if gazetteer.commune(code) is None:
            return f"!Không có xã/phường mã {code}. / Unknown commune code {code}."
        return code
    province, name = values.get("province", ""), values.get("commune", "")
    if not province or not name:
        return "!Thiếu tỉnh hoặc xã/phường. / The province or commune is missing."
    if not gazetteer.has_province(_bare_province(province)):
        return f"!Không có tỉnh {province!r}. / Unknown province {province!r}."
    found = gazetteer.find_communes(name, _bare_province(province))
    if not found:
        return f"!Không có {name!r} ở tỉnh {province}. / Unknown commune {name!r} in {province}."
    if len(found) > 1:  # "van lang": xã Văn Lang or xã Văn Lăng? Exact marks decide.
        _, toks = split_type(name)
        found = [c for c in found if c.name.lower() == " ".join(toks.raw)] or found
    if len(found) > 1:
        options = ", ".join(f"{c.display_name} ({c.code})" for c in found)
        return f"!{name!r} chưa rõ: {options}; ghi commune_code. / Ambiguous; give commune_code."
    return found[0].code


def _bare_province(province: str) -> str:
    ptype, toks = split_type(province)
    return " ".join(toks.folded) if ptype == "tinh" else province


def _village_type(raw: str) -> str | None:
    if not raw:
        return "ban"
    t = "_".join(fold(raw).replace("_", " ").split())
    t = _TYPE_ALIASES.get(t, t)
    return t if t in VILLAGE_TYPES else None


def _fail(line: int, message: str) -> ImportResult:
    return ImportResult((), ((line, message),), 0)
