"""What a report looks like to an officer: facts in words, urgency reasons, place names, local
times. Facts reuse the bot's own catalogue (``ds.hazard.flood`` ...) so the officer reads
what the resident was shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import App
from bot.reports.urgency import UrgencyRules
from bot.store.records import ContactRecord, ReportRecord
from bot.web.workspace.labels import KINDS, STATUSES


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


class Presenter:
    """Turns records into words for one bot (its catalogue, places, policy, time zone)."""

    def __init__(self, bot: App, urgency: UrgencyRules) -> None:
        self._bot = bot
        self._urgency = urgency
        self._tz = ZoneInfo(bot.settings.timezone)

    def t(self, key: str, **values: Any) -> str:
        return self._bot.engine.text(key, "vi", **values)

    def local(self, at: datetime | None) -> str:
        """``"14:05 02/12"`` in the commune's time zone (``""`` for None)."""
        return "" if at is None else at.astimezone(self._tz).strftime("%H:%M %d/%m")

    def local_full(self, at: datetime | None) -> str:
        return "" if at is None else at.astimezone(self._tz).strftime("%H:%M %d/%m/%Y")

    def kind(self, kind: str) -> str:
        return KINDS.get(kind, kind)

    def status(self, status: str) -> str:
        return STATUSES.get(status, status)

    def village(self, village_id: str | None) -> str:
        if not village_id:
            return "Chưa rõ bản"
        found = self._bot.places.village(village_id)
        return found.display_name if found else village_id

    def commune(self, code: str | None) -> str:
        if not code:
            return "Chưa rõ xã"
        found = self._bot.places.commune(code)
        return found.display_name if found else code

    def villages_of(self, code: str | None) -> list[tuple[str, str]]:
        """(id, name) of a commune's villages, or of every village for an admin (None)."""
        places = self._bot.places
        found = places.villages_of(code) if code else places.all_villages()
        return sorted(((v.id, v.display_name) for v in found), key=lambda p: p[1])

    def reasons(self, report: ReportRecord) -> list[str]:
        """Why the report is urgent, one line each, in Vietnamese."""
        out = []
        for key in report.details.get("urgency_reasons") or []:
            try:
                out.append(self._urgency.why(str(key))["vi"])
            except (KeyError, StopIteration):
                out.append(str(key))
        return out

    def summary(self, report: ReportRecord) -> str:
        """One line for the queue: hazard / change and the headline numbers."""
        d = report.details
        if report.type == "disaster":
            bits = [self.opt("ds.hazard", d.get("hazard") or report.subtype)]
            if isinstance(d.get("people"), int):
                bits.append(f"{d['people']} người")
            vul = [self.opt("ds.vul", v).lower() for v in d.get("vulnerable") or []]
            if vul:
                bits.append("có " + ", ".join(vul))
            if d.get("danger_now") is True:
                bits.insert(0, "NGUY HIỂM NGAY")
            return " · ".join(b for b in bits if b)
        if report.type == "household_change":
            return " · ".join(
                b for b in (self.opt("hc.opt", report.subtype), _s(d.get("who"))) if b
            )
        if report.type == "eligibility_request":
            return self.opt("el.class", d.get("class") or report.subtype)
        return _s(d.get("reason")) or "Muốn gặp cán bộ"

    def facts(self, report: ReportRecord) -> list[Fact]:
        d = report.details
        facts: list[Fact] = []
        if report.type == "disaster":
            facts += [
                Fact("Loại thiên tai", self.opt("ds.hazard", d.get("hazard") or report.subtype)),
                Fact("Có người nguy hiểm ngay", "Có" if d.get("danger_now") is True else "Không"),
                Fact("Số người", _s(d.get("people")) or "-"),
                Fact("Người cần chú ý", ", ".join(
                    self.opt("ds.vul", v) for v in d.get("vulnerable") or []) or "Không có"),
                Fact("Tình trạng nhà", self.opt("ds.house", d.get("house_state"))),
                Fact("Nơi (người dân ghi)", _s(d.get("place") or d.get("location_text")) or "-"),
            ]  # fmt: skip
        elif report.type == "household_change":
            facts += [
                Fact("Thay đổi", self.opt("hc.opt", report.subtype)),
                Fact("Người", _s(d.get("who")) or "-"),
                Fact("Thời gian", _s(d.get("when")) or "-"),
                Fact("Nơi ở", _s(d.get("place")) or "-"),
            ]
        elif report.type == "eligibility_request":
            facts += [
                Fact("Kết quả tự kiểm tra", self.opt("el.class", d.get("class"))),
                Fact("Thu nhập/người/tháng", _money(d.get("income_per_person"))),
                Fact("Số nhân khẩu", _s(d.get("household_size")) or "-"),
                Fact("Chỉ số thiếu hụt", self.indicators(report, d.get("deprived"))),
                Fact("Chưa trả lời được", self.indicators(report, d.get("unknown"))),
                Fact("Chuẩn áp dụng", _s(d.get("standard")) or "-"),
            ]
        else:
            facts += [
                Fact("Nội dung", _s(d.get("reason")) or "-"),
                Fact("Từ mục", _s(d.get("from_flow")) or "-"),
            ]
        return facts

    def contact_lines(self, contact: ContactRecord | None) -> list[Fact]:
        if contact is None:
            return [Fact("Người báo", "Không rõ")]
        phones = [u.partition(":")[2] for u in contact.urns if u.startswith("tel:")]
        channels = sorted({u.partition(":")[0] for u in contact.urns})
        return [
            Fact("Người báo", contact.name or "Chưa có tên"),
            Fact("Số điện thoại", ", ".join(phones) or "Chưa có"),
            Fact("Kênh", ", ".join(channels) or "-"),
        ]

    def indicators(self, report: ReportRecord, keys: Any) -> str:
        if not keys:
            return "Không có"
        names = {i.key: i.name.get("vi", i.key)
                 for i in self._bot.policy.indicators(report.created_at.date())}  # fmt: skip
        return ", ".join(names.get(str(k), str(k)) for k in keys)

    def opt(self, prefix: str, value: Any) -> str:
        if not value:
            return "-"
        key = f"{prefix}.{value}"
        return self.t(key) if self._bot.engine.catalog.has(key) else str(value)


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _money(value: Any) -> str:
    if not isinstance(value, int):
        return "-"
    return f"{value:,}".replace(",", ".") + " đ"
