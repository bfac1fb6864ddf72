"""The classification rule of a multidimensional poverty standard, as a pure function.

For ``line = standard.income_line[area]`` and ``n`` distinct deprivations:

- ``income <= line`` and ``n >= min_deprivations`` -> ``poor``
- ``income <= line`` and ``n <  min_deprivations`` -> ``near_poor``
- ``line < income <= average_upper[area]``         -> ``average``
- otherwise                                         -> ``above``

(NĐ 07/2021/NĐ-CP Art. 3; NĐ 351/2025/NĐ-CP keeps the same "and >= 3" logic.)
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.policy import Classification, Klass, Standard

# Poorest first: a class earlier in this tuple is "poorer".
KLASS_ORDER: tuple[Klass, ...] = ("poor", "near_poor", "average", "above")


def classify(standard: Standard, area: str, income: int, deprived: Sequence[str]) -> Classification:
    """Classify one household under ``standard``.

    ``income`` is VND per person per month (int >= 0; bool is refused). ``deprived`` lists
    indicator keys of ``standard``; duplicates count once. Raises ValueError naming the bad
    area, income or key.
    """
    if area not in standard.income_line:
        known = " or ".join(sorted(standard.income_line))
        raise ValueError(f"unknown area {area!r} (expected {known})")
    if isinstance(income, bool) or not isinstance(income, int):
        raise ValueError(f"income must be a whole number of VND, got {income!r}")
    if income < 0:
        raise ValueError(f"income must not be negative, got {income}")
    if isinstance(deprived, str):
        raise ValueError("deprived must be a list of indicator keys, not one string")
    counted: list[str] = []
    for key in deprived:
        if not isinstance(key, str) or key not in standard.indicators:
            raise ValueError(f"unknown indicator {key!r} for standard {standard.id}")
        if key not in counted:
            counted.append(key)
    line = standard.income_line[area]
    klass: Klass
    if income <= line:
        klass = "poor" if len(counted) >= standard.min_deprivations else "near_poor"
    elif standard.average_upper is not None and income <= standard.average_upper[area]:
        klass = "average"
    else:
        klass = "above"
    return Classification(
        klass=klass,
        standard=standard,
        area=area,
        income=income,
        income_line=line,
        deprivations=len(counted),
        counted=tuple(counted),
    )
