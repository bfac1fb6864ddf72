"""Pydantic models of the files in ``data/policy/`` (the shape officers edit).

They only check shape and internal consistency (dates in order, no overlapping versions,
known labels); :mod:`bot.policy.loader` turns them into the frozen domain values of
:mod:`bot.domain.policy` and checks what spans files (indicator keys of a standard).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

Confidence = Literal["C", "P", "U"]
# Labels a support or loan may be for: the four classes, plus households newly out of poverty.
ClassLabel = Literal["poor", "near_poor", "average", "above", "newly_escaped"]
AskIf = Literal["has_children_3_15", "has_member_16_30", "has_child_under_16"]


class Strict(BaseModel):
    """Unknown keys are errors, so a misspelt field never silently falls back to a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(Strict):
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Dated(Protocol):
    @property
    def valid_from(self) -> date: ...
    @property
    def valid_to(self) -> date | None: ...


def check_no_overlap(items: Sequence[Dated], what: str) -> None:
    """Raise ValueError when two dated items share a day (``valid_to`` None = open-ended)."""
    ordered = sorted(items, key=lambda item: item.valid_from)
    for item in ordered:
        if item.valid_to is not None and item.valid_to < item.valid_from:
            raise ValueError(f"{what}: valid_to {item.valid_to} is before valid_from")
    for before, after in pairwise(ordered):
        if before.valid_to is None or before.valid_to >= after.valid_from:
            raise ValueError(f"{what}: dates from {after.valid_from} overlap an earlier entry")


class AreaValues(Strict):
    rural: StrictInt = Field(gt=0)
    urban: StrictInt = Field(gt=0)


class RulePart(Strict):
    min_deprivations: StrictInt = Field(ge=1)
    confidence: Confidence


class ValuesPart(Strict):
    values: AreaValues
    confidence: Confidence
    note: Bilingual | None = None


class IndicatorsPart(Strict):
    keys: list[str] = Field(min_length=1)
    confidence: Confidence
    note: Bilingual | None = None

    @model_validator(mode="after")
    def _unique(self) -> IndicatorsPart:
        if len(set(self.keys)) != len(self.keys):
            raise ValueError("indicator keys repeat")
        return self


class StandardModel(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Bilingual
    legal_basis: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    valid_from: date
    valid_to: date | None
    dates_confidence: Confidence
    rule: RulePart
    income_line: ValuesPart
    average_upper: ValuesPart | None
    indicators: IndicatorsPart

    @model_validator(mode="after")
    def _consistent(self) -> StandardModel:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        if self.average_upper is not None:
            line, upper = self.income_line.values, self.average_upper.values
            if upper.rural <= line.rural or upper.urban <= line.urban:
                raise ValueError("average_upper must be above income_line in every area")
        if self.rule.min_deprivations > len(self.indicators.keys):
            raise ValueError("min_deprivations is more than the number of indicators")
        return self


class StandardsFile(Strict):
    standards: list[StandardModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> StandardsFile:
        ids = [s.id for s in self.standards]
        if len(set(ids)) != len(ids):
            raise ValueError("standard ids repeat")
        check_no_overlap(self.standards, "standards")
        return self


class IndicatorModel(Strict):
    dimension: str
    name: Bilingual
    question: Bilingual
    ask_if: AskIf | None
    confidence: Confidence


class IndicatorsFile(Strict):
    dimensions: dict[str, Bilingual] = Field(min_length=1)
    indicators: dict[str, IndicatorModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_dimensions(self) -> IndicatorsFile:
        for key, ind in self.indicators.items():
            if ind.dimension not in self.dimensions:
                raise ValueError(f"indicator {key!r} has unknown dimension {ind.dimension!r}")
        return self
