"""Small in-memory stand-ins for the gazetteer, the policy rules, the NLU and the action executor.

Places and figures are real (seed gazetteer; Decree 07/2021 lines; VBSP rates of QĐ 2553/QĐ-TTg)
but only a handful of them. The conftest hands them to the engine through one fixture, so the
lead can switch the golden transcripts to ``Gazetteer`` / ``Policy`` after the merge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.domain.places import Commune, PlaceMatch, Village
from bot.domain.policy import Classification, Indicator, LoanProgram, Standard, Support
from bot.domain.roles import normalize_code, outranks
from bot.engine.types import ActionRequest, ContactInfo
from bot.places.loader import village_id
from bot.textnorm import fold

JSON = dict[str, Any]


def _commune(
    code: str, name: str, kind: str, area: str, conf: str, prov: str = "Sơn La"
) -> Commune:
    return Commune(code, name, kind, prov, "14" if prov == "Sơn La" else "12", area, conf)  # type: ignore[arg-type]


COMMUNES = {
    c.code: c
    for c in (
        # A phường holding two former rural xã: which line applies is open [P].
        _commune("03664", "Chiềng An", "phuong", "urban", "P"),
        _commune("04105", "Mai Sơn", "xa", "rural", "C"),
        _commune("04132", "Chiềng Mai", "xa", "rural", "C"),
        _commune("04195", "Chiềng Sơ", "xa", "rural", "C"),
        _commune("04078", "Chiềng Hặc", "xa", "rural", "C"),
        _commune("03451", "Mù Cả", "xa", "rural", "C", prov="Lai Châu"),
    )
}
_VILLAGES = [
    ("03664", "Nam Niệu", "SEED"),
    ("03664", "Panh", "C"),
    ("03664", "Hụm", "P"),
    ("03664", "Bó", "C"),
    ("04105", "Nà Cang", "C"),
    ("04105", "Ngồ Hén", "C"),
    ("04132", "Ban", "C"),
    # Real look-alikes: "Cang" in two communes and "Cảng" next to one of them.
    ("04195", "Cang", "P"),
    ("04195", "Cảng", "P"),
    ("04078", "Cang", "P"),
    ("03451", "Tó Khò", "P"),
]
VILLAGES = {
    village_id(code, name): Village(village_id(code, name), name, f"bản {name}", "ban", code, conf)
    for code, name, conf in _VILLAGES
}


_GENERIC = {"ban", "thon", "xa", "phuong", "to", "khu"}  # "bản" is also a word, not only bản Ban


def _spans(text: str, name: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]


class FakePlaces:
    """PlaceLookup: whole-word name matches in the folded text; a named commune adds 5 points;
    a name inside a longer matched name ("Nam" in "Nam Niệu") does not count."""

    def match(
        self, text: str, *, commune_code: str | None = None, limit: int = 5
    ) -> list[PlaceMatch]:
        folded = fold(text)
        communes = {c for c in COMMUNES.values() if _spans(folded, fold(c.name))}
        hits: list[tuple[tuple[int, int], PlaceMatch]] = []
        for v in VILLAGES.values():
            commune = COMMUNES[v.commune_code]
            if commune_code and v.commune_code != commune_code:
                continue
            names = [fold(v.display_name)] + (
                [fold(v.name)] if fold(v.name) not in _GENERIC else []
            )
            for span in {sp for n in names for sp in _spans(folded, n)}:
                score = 90.0 + (5.0 if commune in communes else 0.0)
                hits.append((span, PlaceMatch(commune, v, score, v.name)))
        hits = [
            (s, m)
            for s, m in hits
            if not any(o[0] <= s[0] and s[1] <= o[1] and o != s for o, _ in hits)
        ]
        found = [m for _, m in hits]
        named = {m.commune.code for m in found}
        found += [PlaceMatch(c, None, 88.0, c.name) for c in communes if c.code not in named]
        found.sort(key=lambda m: -m.score)
        return found[:limit]

    def commune(self, code: str) -> Commune | None:
        return COMMUNES.get(code)

    def village(self, village_id: str) -> Village | None:
        return VILLAGES.get(village_id)

    def villages_of(self, commune_code: str) -> list[Village]:
        return [v for v in VILLAGES.values() if v.commune_code == commune_code]


def _ind(
    key: str, dim: str, name: str, question: str, ask_if: str | None = None, **more: Any
) -> Indicator:
    return Indicator(
        key, dim, {"vi": name, "en": key.replace("_", " ")}, {"vi": question}, ask_if, "P", **more
    )


INDICATORS_2022 = (
    _ind(
        "employment",
        "employment",
        "việc làm",
        "Nhà có người trong tuổi lao động đang thất nghiệp hoặc làm việc không"
        " có hợp đồng, không ổn định không?",
    ),
    _ind(
        "dependents",
        "employment",
        "người phụ thuộc",
        "Trong nhà, số người già, trẻ em dưới 16 tuổi và người không tự lo"
        " được có nhiều hơn một nửa số người không?",
    ),
    _ind(
        "nutrition",
        "health",
        "dinh dưỡng",
        "Có cháu nào dưới 16 tuổi bị suy dinh dưỡng (thấp còi, nhẹ cân) không?",
        "has_child_under_16",
    ),
    _ind(
        "health_insurance",
        "health",
        "bảo hiểm y tế",
        "Nhà có ai từ 6 tuổi trở lên chưa có thẻ bảo hiểm y tế không?",
    ),
    _ind(
        "adult_education",
        "education",
        "trình độ giáo dục của người lớn",
        "Có ai từ 16 đến 30 tuổi không đi học và chưa học xong cấp học theo tuổi không?",
        "has_member_16_30",
    ),
    _ind(
        "school_attendance",
        "education",
        "tình trạng đi học của trẻ em",
        "Có cháu nào từ 3 đến 15 tuổi không đi học không?",
        "has_children_3_15",
    ),
    _ind(
        "housing_quality",
        "housing",
        "chất lượng nhà ở",
        "Nhà đang ở có ít nhất 2 trong 3 phần tường, cột, mái làm bằng vật liệu tạm bợ không?",
    ),
    _ind(
        "housing_area",
        "housing",
        "diện tích nhà ở",
        "Diện tích nhà chia cho số người có dưới 8 mét vuông một người không?",
    ),
    _ind(
        "water",
        "water_sanitation",
        "nguồn nước sinh hoạt",
        "Nước ăn uống của nhà mình lấy từ đâu?",
        options=(
            ({"vi": "Nước máy, giếng khoan, giếng có nắp, nước mưa"}, False),
            ({"vi": "Suối, sông, giếng không nắp"}, True),
        ),
    ),
    _ind(
        "latrine",
        "water_sanitation",
        "nhà tiêu hợp vệ sinh",
        "Nhà có nhà tiêu hợp vệ sinh (tự hoại, bán tự hoại, hai ngăn) không?",
        deprived_if="no",
    ),
    _ind(
        "telecom",
        "information",
        "sử dụng dịch vụ viễn thông",
        "Trong nhà có ai dùng điện thoại hoặc internet không?",
        deprived_if="no",
        not_deprived_on_chat_apps=True,
    ),
    _ind(
        "information",
        "information",
        "phương tiện tiếp cận thông tin",
        "Nhà có ti vi, đài, máy tính, hay nghe được loa của bản, xã không?",
        deprived_if="no",
    ),
)
INDICATORS_2027 = (
    *INDICATORS_2022[:11],
    _ind(
        "internet",
        "information",
        "tiếp cận internet",
        "Nhà mình vào được internet không?",
        deprived_if="no",
        skip_if_deprived=("telecom",),
        not_deprived_on_chat_apps=True,
    ),
    _ind(
        "waste",
        "water_sanitation",
        "xử lý rác thải",
        "Rác của nhà mình có được thu gom, hoặc chôn, đốt đúng chỗ không?",
        deprived_if="no",
    ),
)
STANDARD_2022 = Standard(
    "nd07_2021",
    {
        "vi": "chuẩn nghèo đa chiều giai đoạn 2022–2025",
        "en": "multidimensional poverty standard 2022–2025",
    },
    "Nghị định 07/2021/NĐ-CP",
    date(2022, 1, 1),
    date(2026, 12, 31),
    {"rural": 1_500_000, "urban": 2_000_000},
    {"rural": 2_250_000, "urban": 3_000_000},
    3,
    tuple(i.key for i in INDICATORS_2022),
    "C",
    {"vi": "chuẩn nghèo 2022–2025 (Nghị định 07/2021/NĐ-CP)"},
)
STANDARD_2027 = Standard(
    "nd351_2025",
    {
        "vi": "chuẩn nghèo đa chiều giai đoạn 2026–2030",
        "en": "multidimensional poverty standard 2026–2030",
    },
    "Nghị định 351/2025/NĐ-CP",
    date(2027, 1, 1),
    None,
    {"rural": 2_200_000, "urban": 2_800_000},
    None,
    3,
    tuple(i.key for i in INDICATORS_2027),
    "P",
    {"vi": "chuẩn nghèo 2026–2030 (Nghị định 351/2025/NĐ-CP)"},
)
SUPPORTS = (
    Support(
        "health_insurance_free",
        {"vi": "Thẻ bảo hiểm y tế miễn phí"},
        {"vi": ""},
        ("poor",),
        "NĐ 188/2025/NĐ-CP",
        "C",
        date(2022, 1, 1),
        None,
    ),
    Support(
        "health_insurance_70",
        {"vi": "Hỗ trợ ít nhất 70% tiền mua bảo hiểm y tế"},
        {"vi": ""},
        ("near_poor",),
        "NĐ 188/2025/NĐ-CP",
        "C",
        date(2022, 1, 1),
        None,
    ),
    Support(
        "electricity",
        {"vi": "Hỗ trợ tiền điện 30 kWh mỗi tháng"},
        {"vi": ""},
        ("poor",),
        "QĐ 28/2014/QĐ-TTg",
        "P",
        date(2022, 1, 1),
        None,
    ),
)
DISASTER = (
    Support(
        "disaster_house_lost",
        {"vi": "Hỗ trợ làm nhà"},
        {"vi": "Hộ nghèo, cận nghèo có nhà bị sập: ít nhất 40 triệu đồng (Mẫu số 06)."},
        ("poor", "near_poor"),
        "NĐ 20/2021/NĐ-CP",
        "C",
        date(2021, 7, 1),
        None,
        applies_if={"house_state": ("collapsed",)},
    ),
    Support(
        "disaster_urgent_relocation",
        {"vi": "Hỗ trợ di dời"},
        {"vi": "Mọi hộ phải di dời theo quyết định: ít nhất 30 triệu đồng (Mẫu số 06)."},
        ("poor", "near_poor", "average", "above"),
        "NĐ 20/2021/NĐ-CP",
        "C",
        date(2021, 7, 1),
        None,
        applies_if={"stay": ("relocate",)},
    ),
)
_RATE_CUT = date(2025, 12, 1)
LOANS = (
    LoanProgram(
        "poor",
        {"vi": "Cho vay hộ nghèo"},
        {"vi": "Hộ có tên trong danh sách hộ nghèo"},
        100_000_000,
        {"vi": "không cần tài sản bảo đảm"},
        6.6,
        120,
        "QĐ 1010/QĐ-TTg",
        "C",
        ("poor",),
        date(2024, 1, 1),
        date(2025, 11, 30),
    ),
    LoanProgram(
        "poor",
        {"vi": "Cho vay hộ nghèo"},
        {"vi": "Hộ có tên trong danh sách hộ nghèo"},
        100_000_000,
        {"vi": "không cần tài sản bảo đảm"},
        6.24,
        120,
        "QĐ 2553/QĐ-TTg",
        "C",
        ("poor",),
        _RATE_CUT,
        None,
    ),
    LoanProgram(
        "near_poor",
        {"vi": "Cho vay hộ cận nghèo"},
        {"vi": "Hộ có tên trong danh sách hộ cận nghèo"},
        100_000_000,
        None,
        7.488,
        None,
        "QĐ 2553/QĐ-TTg",
        "P",
        ("near_poor",),
        _RATE_CUT,
        None,
    ),
    LoanProgram(
        "students",
        {"vi": "Cho vay học sinh, sinh viên"},
        {"vi": "Học sinh, sinh viên con hộ nghèo, cận nghèo, hộ có mức sống trung bình"},
        None,
        {"vi": "4 triệu đồng mỗi tháng học"},
        6.24,
        None,
        "QĐ 2553/QĐ-TTg",
        "C",
        ("poor", "near_poor", "average"),
        _RATE_CUT,
        None,
    ),
    LoanProgram(
        "water",
        {"vi": "Cho vay nước sạch, vệ sinh môi trường"},
        {"vi": "Hộ gia đình ở nông thôn"},
        25_000_000,
        None,
        8.4,
        60,
        "QĐ 2553/QĐ-TTg",
        "C",
        ("poor", "near_poor", "average", "above"),
        _RATE_CUT,
        None,
    ),
)


def _valid(valid_from: date, valid_to: date | None, day: date) -> bool:
    return valid_from <= day and (valid_to is None or day <= valid_to)


class FakePolicy:
    """PolicyService with the 2022–2025 and 2027 standards, three supports, four programmes."""

    def standard_on(self, day: date) -> Standard:
        return STANDARD_2022 if day <= date(2026, 12, 31) else STANDARD_2027

    def indicators(self, day: date) -> list[Indicator]:
        return list(INDICATORS_2022 if self.standard_on(day) is STANDARD_2022 else INDICATORS_2027)

    def classify(
        self, area: str, income: int, deprived: Sequence[str], day: date
    ) -> Classification:
        standard = self.standard_on(day)
        if area not in standard.income_line or income < 0:
            raise ValueError(f"bad area {area!r} or income {income}")
        if any(k not in standard.indicators for k in deprived):
            raise ValueError(f"unknown indicator in {deprived}")
        line = standard.income_line[area]
        counted = tuple(k for k in standard.indicators if k in deprived)
        upper = (standard.average_upper or {}).get(area, 0)
        if income <= line:
            klass = "poor" if len(counted) >= standard.min_deprivations else "near_poor"
        else:
            klass = "average" if income <= upper else "above"
        return Classification(klass, standard, area, income, line, len(counted), counted)  # type: ignore[arg-type]

    def supports_for(self, klass: str, day: date) -> list[Support]:
        return [
            s for s in SUPPORTS if klass in s.for_classes and _valid(s.valid_from, s.valid_to, day)
        ]

    def loan_programs(self, day: date) -> list[LoanProgram]:
        return [p for p in LOANS if _valid(p.valid_from, p.valid_to, day)]

    def disaster_supports(self, day: date) -> list[Support]:
        return [s for s in DISASTER if _valid(s.valid_from, s.valid_to, day)]

    def standard_notes(self, day: date) -> dict[str, Any]:
        unsure = self.standard_on(day) is STANDARD_2027
        note = {"vi": "Danh sách chỉ số từ năm 2027 chưa chắc chắn; xã sẽ xác nhận."}
        return {
            "rule": {"confidence": "C", "note": None},
            "income_line": {"confidence": "C", "note": None},
            "indicators": {"confidence": "U", "note": note} if unsure else {"confidence": "C"},
        }

    def review_info(self, day: date) -> dict[str, Any]:
        to = {"vi": "Chủ tịch UBND xã"}
        return {
            "periodic": {"start": f"{day.year}-09-01", "end": f"{day.year}-12-14",
                         "open": date(day.year, 9, 1) <= day <= date(day.year, 12, 14)},
            "monthly": {"day": 15},
            "forms": {
                "mau_01": {"number": "Mẫu số 01", "name": {"vi": "Giấy đề nghị rà soát"}, "to": to},
                "mau_04": {"number": "Mẫu số 04", "name": {"vi": "Giấy đề nghị thoát nghèo"},
                           "to": to},
                "mau_06": {"number": "Mẫu số 06", "name": {"vi": "Tờ khai hỗ trợ nhà ở"},
                           "to": to},
            },
            "loans_path": {"text": {"vi": "Đăng ký với Tổ tiết kiệm và vay vốn ở bản."}},
            "civil_registration": {
                "birth": {"text": {"vi": "Làm khai sinh ở UBND xã."}},
                "death": {"text": {"vi": "Làm khai tử ở UBND xã."}},
            },
        }  # fmt: skip


# One-time role codes the transcripts use: code -> (role, place in words, expired?)
ROLE_CODES = {
    "VT-2345-6789": ("head", "bản Nam Niệu", False),
    "VT-CBXA-3664": ("officer", "phường Chiềng An", False),
    "VT-HETH-AN22": ("head", "bản Panh", True),
}


_REF_DIGITS = str.maketrans("0123456789", "23456789AB")


class FakeExecutor:
    """Runs ActionRequests against memory; refs are ``TT-222223``, ``TT-222224``... (the
    numbers 1, 2... written in the reference alphabet, which has no 0 or 1); role
    codes are :data:`ROLE_CODES` (each works once; the expired one never)."""

    def __init__(self) -> None:
        self.used_codes: set[str] = set()
        self.notices: list[JSON] = []
        self.reports: list[JSON] = []
        self.subscriptions: set[str] = set()
        self.saved: list[JSON] = []
        self.calls: list[ActionRequest] = []

    @staticmethod
    def _scored(report: JSON) -> JSON:
        """Flagged as the real rules would for the cases the transcripts use: someone in danger
        now, or a collapsed house (whatever the hazard)."""
        details = report["details"]
        danger = bool(report.get("danger_now") or details.get("danger_now"))
        flagged = report["type"] == "disaster" and (
            danger or details.get("house_state") == "collapsed"
        )
        # as if an officer of the commune had linked a phone: a flagged report alerts them
        alerted = flagged or report["type"] == "handover"
        return {
            "ref": report["ref"],
            "urgency": 60 if flagged else None,
            "flagged": flagged,
            "alerted": alerted,
        }

    def run(self, contact: ContactInfo, action: ActionRequest, now: str) -> JSON:
        self.calls.append(action)
        args = action.args
        if action.name == "contact.update":
            return {}
        if action.name == "report.submit":
            ref = "TT-" + f"{len(self.reports) + 1:06d}".translate(_REF_DIGITS)
            report = {
                "ref": ref,
                "type": args["type"],
                "subtype": args.get("subtype"),
                "status": "new",
                "created_at": now,
                "updated_at": now,
                "details": dict(args.get("details") or {}),
                "photos": list(args.get("photos") or []),
                "location": args.get("location"),
                "danger_now": args.get("danger_now"),
            }
            self.reports.append(report)
            return self._scored(report)
        if action.name == "report.update":
            report = next((r for r in self.reports if r["ref"] == args["ref"]), None)
            if report is None:
                raise AssertionError(f"report.update of an unknown report {args['ref']!r}")
            report["details"].update(args.get("details") or {})
            report["subtype"] = args.get("subtype") or report["subtype"]
            report["photos"] = list(dict.fromkeys([*report["photos"], *args.get("photos", [])]))
            report["location"] = args.get("location") or report["location"]
            report["updated_at"] = now
            return self._scored(report)
        if action.name == "report.find":
            for r in self.reports:
                if r["ref"] == args["ref"]:
                    keys = ("ref", "type", "subtype", "status", "created_at", "updated_at")
                    return {"found": True, **{k: r[k] for k in keys}}
            return {"found": False, "ref": args["ref"]}
        if action.name == "report.latest":
            latest = list(reversed(self.reports))[: int(args["limit"])]
            return {
                "reports": [
                    {k: r[k] for k in ("ref", "type", "subtype", "status", "created_at")}
                    for r in latest
                ]
            }
        if action.name == "subscription.set":
            if args["on"]:
                self.subscriptions |= set(args["topics"])
            else:
                self.subscriptions -= set(args["topics"])
            return {"topics": sorted(self.subscriptions)}
        if action.name == "eligibility.save":
            self.saved.append(dict(args))
            return {"id": len(self.saved)}
        if action.name == "report.acknowledge":
            return self._acknowledge(contact, str(args["ref"]))
        if action.name == "officer.queue":
            open_ = [r for r in self.reports if r["status"] in ("new", "acknowledged")]
            shown = open_[: int(args["limit"])]
            return {
                "total": len(open_),
                "reports": [
                    {"ref": r["ref"], "type": r["type"], "hazard": r["details"].get("hazard"),
                     "place": r["details"].get("place"), "status": r["status"],
                     "flagged": self._scored(r)["flagged"], "minutes": 12}
                    for r in shown
                ],
            }  # fmt: skip
        if action.name.startswith("notice."):
            return self._notice(contact, action)
        if action.name.startswith("privacy."):
            return self._privacy(contact, action, now)
        if action.name == "role.redeem":
            return self._redeem(contact, normalize_code(str(args["code"])) or "")
        raise AssertionError(f"unknown action {action.name}")

    def _privacy(self, contact: ContactInfo, action: ActionRequest, now: str) -> JSON:
        """What the store would say of this memory (one address, the phone masked)."""
        if action.name == "privacy.erase":
            kept = [r["ref"] for r in self.reports if r["status"] in ("new", "acknowledged")]
            self.reports, self.subscriptions, self.saved = [], set(), []
            return {"erased": True, "urns": [contact.address], "kept": kept,
                    "deleted_reports": 0}  # fmt: skip
        latest = list(reversed(self.reports))[: int(action.args.get("limit", 3))]
        last = self.saved[-1] if self.saved else {}
        return {
            "addresses": [contact.address, "tel:+84***678"],
            "name": None,
            "village": "bản Nam Niệu" if contact.village_id else None,
            "household_size": last.get("household_size"),
            "household_class": last.get("class"),
            "checks": len(self.saved),
            "reports": [{k: r[k] for k in ("ref", "type", "status", "created_at")} for r in latest],
            "report_count": len(self.reports),
            "topics": sorted(self.subscriptions),
            "stopped": False,
            "consent_version": "2026-12-02",
            "consent_at": now,
            "messages": 4,
        }

    def _notice(self, contact: ContactInfo, action: ActionRequest) -> JSON:
        """Notices as the real service answers them, for a village of 143 people."""
        args = action.args
        if action.name == "notice.preview":
            by = {"zalo": 98, "telegram": 31, "android_sms": 14}
            return {"ok": True, "people": 143, "by_adapter": by, "unreachable": 0,
                    "sms_messages": 14, "sms_segments": 28, "sms_cost_vnd": 9800,
                    "where": "bản Nam Niệu" if contact.role == "head" or args.get("where")
                    else "phường Chiềng An"}  # fmt: skip
        if action.name == "notice.create":
            self.notices.append(dict(args))
            at = str(args.get("at") or "")
            shown = f"{at[11:16]} {at[8:10]}/{at[5:7]}" if at else "08:00 01/03"
            return {"ok": True, "id": len(self.notices), "at": shown}
        if action.name == "notice.progress":
            if not self.notices:
                return {"found": False}
            counts = {"planned": 143, "sent": 120, "failed": 2, "skipped": 0, "waiting": 21}
            return {"found": True, "id": len(self.notices), "status": "sending", **counts}
        help_asked = args.get("answer") == "help"
        if not self.notices and not args.get("notice"):
            return {"ok": False, "reason": "no_warning"}
        return {"ok": True, "ref": "TT-BBBBBB", "help": help_asked, "alerted": help_asked}

    def _acknowledge(self, contact: ContactInfo, ref: str) -> JSON:
        """Officers of phường Chiềng An (the transcripts' commune) may take its reports."""
        report = next((r for r in self.reports if r["ref"] == ref), None)
        if report is None or contact.role not in ("officer", "admin"):
            return {"ok": False, "reason": "not_found", "ref": ref}
        if report["status"] != "new":
            return {"ok": False, "reason": "already", "ref": ref, "by": "Lò Văn An"}
        report["status"] = "acknowledged"
        return {"ok": True, "ref": ref, "resident_told": True}

    def _redeem(self, contact: ContactInfo, code: str) -> JSON:
        refused = {"granted": False, "current": contact.role, "current_place": ""}
        if code not in ROLE_CODES:
            return {**refused, "reason": "unknown"}
        role, place, expired = ROLE_CODES[code]
        if outranks(contact.role, role):
            return {**refused, "reason": "lower"}
        if code in self.used_codes:
            return {**refused, "reason": "used"}
        if expired:
            return {**refused, "reason": "expired"}
        self.used_codes.add(code)
        return {"granted": True, "role": role, "place": place}


_INTENTS = (
    (
        "report_disaster",
        ("ngap", "lut", "sat lo", "lo dat", "lu quet", "sap nha", "thien tai", "bi chay"),
    ),
    ("check_eligibility", ("ho ngheo", "can ngheo", "kiem tra ho")),
    ("ask_loan_programs", ("vay", "ngan hang")),
    ("report_household_change", ("sinh con", "tach ho", "thay doi", "mat viec", "qua doi")),
    ("check_report_status", ("ma phan anh", "phan anh cua toi", "trang thai")),
    ("greet", ("chao", "hello", "alo")),
    ("thank", ("cam on", "thank")),
    ("goodbye", ("tam biet", "bye")),
)
_HAZARDS = (
    ("flood", ("ngap", "lut")),
    ("landslide", ("sat lo", "lo dat")),
    ("flash_flood", ("lu quet",)),
    ("fire", ("bi chay",)),
)


def fake_nlu(text: str) -> JSON:
    """Rasa ``/model/parse``-shaped result from keywords (the real NLU is another helper's)."""
    folded = fold(text)
    intent = next(
        (name for name, words in _INTENTS if any(w in folded for w in words)), "nlu_fallback"
    )
    entities: list[JSON] = []
    for value, words in _HAZARDS:
        if any(w in folded for w in words):
            entities.append({"entity": "hazard", "value": value, "extractor": "fake"})
            break
    best = FakePlaces().match(text, limit=1)
    if best and best[0].village is not None:
        entities.append(
            {"entity": "place", "value": best[0].village.display_name, "extractor": "fake"}
        )
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9 if intent != "nlu_fallback" else 0.3},
        "entities": entities,
        "intent_ranking": [],
    }
