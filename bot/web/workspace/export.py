"""CSV and XLSX of what the queue filter shows, in the shapes the commune works with.

- Disaster reports: the facts a relief request on Mẫu số 06 (Decree 20/2021/NĐ-CP) needs —
  household, village, hazard, house state, people, vulnerable members, danger, position.
- Household changes: the facts of the in-year monthly review (Mẫu số 01 request): household,
  village, change, person, when, where.
- Other kinds: a common shape.

CSV: one table; with a kind filter it has that kind's shape, otherwise the common one.
XLSX: one sheet per kind present, each in its own shape. Cells starting with = + - @ are
prefixed with ' so a spreadsheet never runs a resident's text as a formula (our own E.164
phone numbers excepted).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from bot.store.triage import ExportRow
from bot.web.workspace.views import Presenter

PHONES = re.compile(r"\+\d{6,15}(, \+\d{6,15})*")
Column = tuple[str, Callable[[ExportRow, Presenter], object]]


def _d(key: str) -> Callable[[ExportRow, Presenter], object]:
    return lambda row, _p: row.report.details.get(key)


def _phone(row: ExportRow, _p: Presenter) -> str:
    urns = row.contact.urns if row.contact else ()
    return ", ".join(u.partition(":")[2] for u in urns if u.startswith("tel:"))


def _name(row: ExportRow, _p: Presenter) -> str:
    return (row.contact.name if row.contact else None) or ""


def _position(row: ExportRow, _p: Presenter) -> str:
    r = row.report
    return "" if r.lat is None or r.lon is None else f"{r.lat:.6f}, {r.lon:.6f}"


def _opt(prefix: str, key: str) -> Callable[[ExportRow, Presenter], object]:
    return lambda row, p: p.opt(prefix, row.report.details.get(key))


COMMON: list[Column] = [
    ("Mã phản ánh", lambda row, _p: row.report.ref),
    ("Ngày gửi", lambda row, p: p.local_full(row.report.created_at)),
    ("Loại", lambda row, p: p.kind(row.report.type)),
    ("Họ tên người báo", _name),
    ("Số điện thoại", _phone),
    ("Thôn/bản", lambda row, p: p.village(row.report.village_id)),
    ("Xã/phường", lambda row, p: p.commune(row.report.commune_code)),
    ("Trạng thái", lambda row, p: p.status(row.report.status)),
]
SHAPES: dict[str, tuple[str, list[Column]]] = {
    "disaster": ("Mẫu 06 - thiên tai", [
        *COMMON,
        ("Loại thiên tai", lambda row, p: p.opt("ds.hazard", row.report.details.get("hazard")
                                                   or row.report.subtype)),
        ("Tình trạng nhà", _opt("ds.house", "house_state")),
        ("Số người", _d("people")),
        ("Người già / trẻ em / khuyết tật / mang thai", lambda row, p: ", ".join(
            p.opt("ds.vul", v) for v in row.report.details.get("vulnerable") or [])),
        ("Có người nguy hiểm ngay", lambda row, _p: "Có" if row.report.details.get(
            "danger_now") is True else "Không"),
        ("Mức khẩn (0-100)", lambda row, _p: row.report.urgency),
        ("Lý do khẩn", lambda row, p: "; ".join(p.reasons(row.report))),
        ("Vị trí (vĩ độ, kinh độ)", _position),
        ("Nơi (người dân ghi)", lambda row, _p: row.report.details.get("place")
         or row.report.details.get("location_text")),
        ("Số ảnh", lambda row, _p: len(row.report.photos)),
    ]),
    "household_change": ("Mẫu 01 - biến động hộ", [
        *COMMON,
        ("Loại biến động", lambda row, p: p.opt("hc.opt", row.report.subtype)),
        ("Người liên quan", _d("who")),
        ("Thời gian", _d("when")),
        ("Nơi ở", _d("place")),
    ]),
    "eligibility_request": ("Đề nghị rà soát", [
        *COMMON,
        ("Kết quả tự kiểm tra", _opt("el.class", "class")),
        ("Thu nhập/người/tháng (đ)", _d("income_per_person")),
        ("Số nhân khẩu", _d("household_size")),
        ("Chỉ số thiếu hụt", lambda row, p: p.indicators(row.report,
                                                          row.report.details.get("deprived"))),
    ]),
    "handover": ("Gặp cán bộ", [*COMMON, ("Nội dung", _d("reason"))]),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[object]]


def tables(rows: Sequence[ExportRow], p: Presenter, kind: str | None) -> list[Table]:
    """One table per kind present (XLSX sheets), or one table for a single kind / mixed."""
    kinds = [kind] if kind else sorted({r.report.type for r in rows})
    out = []
    for k in kinds:
        title, columns = SHAPES.get(k, ("Phản ánh", COMMON))
        subset = [r for r in rows if r.report.type == k]
        out.append(Table(title, [c[0] for c in columns], [_row(r, columns, p) for r in subset]))
    return out or [Table("Phản ánh", [c[0] for c in COMMON], [])]


def _row(row: ExportRow, columns: list[Column], p: Presenter) -> list[object]:
    return [_safe(fn(row, p)) for _, fn in columns]


def _safe(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and PHONES.fullmatch(value):
        return value  # our own E.164 numbers, not something a resident typed
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: Sequence[ExportRow], p: Presenter, kind: str | None) -> bytes:
    """UTF-8 with a BOM (Excel opens Vietnamese correctly), one table."""
    columns = SHAPES[kind][1] if kind in SHAPES else COMMON
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([c[0] for c in columns])
    for r in rows:
        writer.writerow(_row(r, columns, p))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[ExportRow], p: Presenter, kind: str | None) -> bytes:
    book = Workbook()
    first = True
    for table in tables(rows, p, kind):
        sheet = book.active if first else book.create_sheet()
        first = False
        if sheet is None:  # a new Workbook always has an active sheet
            raise RuntimeError("openpyxl gave no worksheet")
        sheet.title = table.title[:31]
        sheet.append(table.header)
        for values in table.rows:
            sheet.append(values)
        sheet.freeze_panes = "A2"
        for i, name in enumerate(table.header):
            letter = sheet.cell(row=1, column=i + 1).column_letter
            sheet.column_dimensions[letter].width = min(max(len(name) + 2, 12), 40)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
