"""``Policy``: the in-memory :class:`bot.ports.PolicyService` over ``data/policy/``.

Load once at start (``Policy.load(settings.data_dir / "policy")``); every method is a pure
look-up by date. Dates are inclusive at both ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.domain.policy import Classification, Indicator, LoanProgram, Standard, Support
from bot.policy.classify import KLASS_ORDER, classify
from bot.policy.loader import PolicyData, load_policy_data
from bot.policy.review import review_info
from bot.policy.schema import IndicatorsPart, RulePart, ValuesPart

if TYPE_CHECKING:
    from bot.ports import PolicyService

T = TypeVar("T", Support, LoanProgram)


def _in_force(items: Iterable[T], day: date) -> list[T]:
    return [i for i in items if i.valid_from <= day and (i.valid_to is None or day <= i.valid_to)]


class Policy:
    """Poverty standards, indicators, supports, loans and review facts, picked by date."""

    def __init__(self, data: PolicyData) -> None:
        self._data = data

    @classmethod
    def load(cls, policy_dir: Path) -> Policy:
        """Read and validate ``policy_dir``; raises PolicyDataError (a ValueError) naming
        the file and key of the first bad file."""
        return cls(load_policy_data(policy_dir))

    def standards(self) -> list[Standard]:
        """Every standard, oldest first."""
        return list(self._data.standards)

    def standard_on(self, day: date) -> Standard:
        """The standard in force on ``day``; ValueError if none is."""
        for s in self._data.standards:
            if s.valid_from <= day and (s.valid_to is None or day <= s.valid_to):
                return s
        raise ValueError(f"no poverty standard is in force on {day.isoformat()}")

    def standard_notes(self, day: date) -> dict[str, Any]:
        """Per-part confidence and notes of the standard on ``day``, for softening answers.

        ``{"rule"|"income_line"|"average_upper"|"indicators": {"confidence": "C"|"P"|"U",
        "note": {"vi", "en"} | None}}`` (``average_upper`` absent if the standard has none).
        """
        m = self._data.standard_models[self.standard_on(day).id]
        parts: dict[str, RulePart | ValuesPart | IndicatorsPart] = {
            "rule": m.rule,
            "income_line": m.income_line,
            "indicators": m.indicators,
        }
        if m.average_upper is not None:
            parts["average_upper"] = m.average_upper
        out: dict[str, Any] = {}
        for name, part in parts.items():
            note = None if isinstance(part, RulePart) else part.note
            out[name] = {
                "confidence": part.confidence,
                "note": {"vi": note.vi, "en": note.en} if note else None,
            }
        return out

    def indicators(self, day: date) -> list[Indicator]:
        """The indicators of the standard on ``day``, in the order to ask them."""
        return [self._data.indicators[k] for k in self.standard_on(day).indicators]

    def dimensions(self) -> dict[str, dict[str, str]]:
        """Dimension key -> ``{"vi", "en"}`` name."""
        return dict(self._data.dimensions)

    def classify(
        self, area: str, income: int, deprived: Sequence[str], day: date
    ) -> Classification:
        """Indicative class under the standard on ``day``.

        Raises ValueError on a date outside every standard, an unknown area or indicator key
        (named in the message), a non-int or negative income. One fact counts once: an
        indicator whose ``skip_if_deprived`` names another deprived key is not counted.
        """
        return classify(self.standard_on(day), area, income, self.count_once(deprived))

    def count_once(self, deprived: Sequence[str]) -> list[str]:
        """``deprived`` without the keys that repeat a fact already counted (in order).

        Raises ValueError for one string instead of a list of keys."""
        if isinstance(deprived, str):
            raise ValueError("deprived must be a list of indicator keys, not one string")
        keys = list(dict.fromkeys(deprived))
        known = self._data.indicators
        return [
            k
            for k in keys
            if k not in known or not set(known[k].skip_if_deprived) & (set(keys) - {k})
        ]

    def supports_for(self, klass: str, day: date) -> list[Support]:
        """Regular supports for households of ``klass`` on ``day`` (not disaster relief)."""
        if klass not in KLASS_ORDER and klass != "newly_escaped":
            raise ValueError(f"unknown household class {klass!r}")
        return [s for s in _in_force(self._data.supports, day) if klass in s.for_classes]

    def disaster_supports(self, day: date) -> list[Support]:
        """Emergency housing supports (NĐ 20/2021 Art. 15) in force on ``day``."""
        return _in_force(self._data.disaster, day)

    def loan_programs(self, day: date) -> list[LoanProgram]:
        """VBSP programmes with the values in force on ``day``, in file order."""
        return _in_force(self._data.loans, day)

    def loan_program(self, key: str, day: date) -> LoanProgram | None:
        """One programme on ``day``, or None if it does not lend then (or is unknown)."""
        return next((p for p in self.loan_programs(day) if p.key == key), None)

    def review_info(self, day: date) -> dict[str, Any]:
        """Review windows, forms (Mẫu 01/04/06), how to submit, loans path: see
        :func:`bot.policy.review.review_info`."""
        return review_info(self._data.review, day)


if TYPE_CHECKING:
    # mypy proves that Policy satisfies the port.
    _port: type[PolicyService] = Policy
