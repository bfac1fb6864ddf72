"""Vietnamese names the workspace shows officers (the resident-facing texts are in the
locales; facts of a report reuse the bot's own catalogue, see ``views.py``)."""

from __future__ import annotations

from typing import Final

KINDS: Final = {
    "disaster": "Thiên tai",
    "household_change": "Thay đổi trong hộ",
    "eligibility_request": "Đề nghị rà soát",
    "handover": "Gặp cán bộ",
}
STATUSES: Final = {
    "new": "Mới",
    "acknowledged": "Đã nhận",
    "in_progress": "Đang xử lý",
    "resolved": "Đã xong",
    "rejected": "Từ chối",
}
# What the button does, from the officer's side.
STATUS_ACTIONS: Final = {
    "acknowledged": "Nhận xử lý",
    "in_progress": "Bắt đầu xử lý",
    "resolved": "Đã xong",
    "rejected": "Từ chối",
}
# "báo <hazard>" in a cluster line: "5 hộ ở bản Nam Niệu báo ngập".
HAZARD_SHORT: Final = {
    "flood": "ngập",
    "landslide": "sạt lở",
    "flash_flood": "lũ quét",
    "collapse": "sập nhà",
    "storm": "dông bão",
}
VULNERABLE_SHORT: Final = {
    "elderly": "người già",
    "children": "trẻ em",
    "disabled": "người khuyết tật",
    "pregnant": "phụ nữ mang thai",
}
SLA: Final = {
    "ok": "Trong hạn",
    "warning": "Sắp quá hạn",
    "breached": "Quá hạn",
    "met": "Đúng hạn",
    "late": "Trễ hạn",
}
ROLES: Final = {"officer": "Cán bộ xã", "admin": "Quản trị", "head": "Trưởng bản"}
