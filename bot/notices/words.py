"""A notice's preview in words, the same in the chat and the workspace: "Sẽ gửi tới 12 người
ở bản Nam Niệu: 8 Zalo, 4 SMS, khoảng 4 tin SMS (1.400 đồng)." (``nc.audience`` and its
parts in the locales)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# What an officer calls each adapter; the two SMS adapters are one "SMS" to them.
ADAPTER_NAMES = {"zalo": "Zalo", "telegram": "Telegram", "zalo_bot": "Zalo Bot",
                 "android_sms": "SMS", "twilio_sms": "SMS", "sim": "thử nghiệm"}  # fmt: skip


def ways(by_adapter: Mapping[str, int]) -> list[tuple[str, int]]:
    """(name, people) per way of reaching them, most people first."""
    counts: dict[str, int] = {}
    for adapter, n in by_adapter.items():
        name = ADAPTER_NAMES.get(adapter, adapter)
        counts[name] = counts.get(name, 0) + int(n)
    return sorted(counts.items(), key=lambda x: -x[1])


def audience(t: Callable[..., str], preview: Mapping[str, Any], where: str) -> str:
    """``preview`` is :meth:`bot.notices.planner.Preview.as_json`; ``t(key, **values)`` reads
    the catalogue in the reader's language."""
    listed = ", ".join(f"{n} {name}" for name, n in ways(preview.get("by_adapter") or {}))
    sms = ""
    if preview.get("sms_segments"):
        cost = f"{preview['sms_cost_vnd']:,}".replace(",", ".")
        sms = ", " + t("nc.sms_cost", segments=preview["sms_segments"], cost=cost)
    unreachable = preview.get("unreachable") or 0
    tail = " " + t("nc.unreachable", n=unreachable) if unreachable else ""
    return t(
        "nc.audience", people=preview.get("people", 0) - unreachable, where=where,
        ways=listed or "-", sms=sms, unreachable=tail,
    )  # fmt: skip
