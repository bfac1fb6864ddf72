"""Disaster reports of the same hazard in the same village, close in time, shown as one group.

Reports are chained: a report joins a group when it came within ``window`` of the group's
previous report. Each report stays whole and is handled on its own; the group is only a line
above them ("5 hộ ở bản Nam Niệu báo ngập, 23 người, 4 hộ có người già"). Only groups of two
or more are returned. Counts are what residents stated: people are summed over reports
that gave a number; vulnerable members are known per household (kinds, not heads), so they
are counted as households.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.store.records import ReportRecord
from bot.web.workspace.labels import HAZARD_SHORT, VULNERABLE_SHORT


@dataclass
class Cluster:
    village_id: str
    hazard: str
    reports: list[ReportRecord] = field(default_factory=list)

    @property
    def households(self) -> int:
        return len(self.reports)

    @property
    def people(self) -> int:
        total = 0
        for r in self.reports:
            n = r.details.get("people")
            if isinstance(n, int) and not isinstance(n, bool):
                total += n
        return total

    @property
    def vulnerable(self) -> Counter[str]:
        """Households that reported each kind of vulnerable member."""
        found: Counter[str] = Counter()
        for r in self.reports:
            kinds = r.details.get("vulnerable") or []
            found.update({k for k in kinds if isinstance(k, str)})
        return found

    @property
    def refs(self) -> list[str]:
        return [r.ref for r in self.reports]

    def sentence(self, village_name: Callable[[str], str]) -> str:
        """``"5 hộ ở bản Nam Niệu báo ngập, 23 người, 4 hộ có người già"``."""
        hazard = HAZARD_SHORT.get(self.hazard, self.hazard)
        parts = [f"{self.households} hộ ở {village_name(self.village_id)} báo {hazard}"]
        if self.people:
            parts.append(f"{self.people} người")
        for kind, label in VULNERABLE_SHORT.items():
            if self.vulnerable[kind]:
                parts.append(f"{self.vulnerable[kind]} hộ có {label}")
        return ", ".join(parts)


def clusters(reports: Iterable[ReportRecord], window: timedelta) -> list[Cluster]:
    """Groups of 2+ disaster reports (same village, same hazard, chained within ``window``),
    biggest first. Reports without a village or a hazard never group."""
    open_groups: dict[tuple[str, str], Cluster] = {}
    done: list[Cluster] = []
    for r in sorted(reports, key=lambda r: (r.created_at, r.id)):
        hazard = r.details.get("hazard") or r.subtype
        if r.type != "disaster" or not r.village_id or not isinstance(hazard, str):
            continue
        key = (r.village_id, hazard)
        group = open_groups.get(key)
        if group is not None and r.created_at - group.reports[-1].created_at > window:
            done.append(group)
            group = None
        if group is None:
            group = open_groups[key] = Cluster(r.village_id, hazard)
        group.reports.append(r)
    done.extend(open_groups.values())
    big = [c for c in done if c.households >= 2]
    return sorted(big, key=lambda c: (-c.households, c.reports[0].created_at))
