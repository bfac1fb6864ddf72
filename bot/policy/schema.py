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
# What must be known true about a household before a support or programme is listed for it.
Requirement = Literal["rural", "ethnic_minority", "student", "difficult_area", "housing_deprived"]


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
    short: Bilingual  # the name as a result line shows it, legal basis included
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


class AnswerOption(Strict):
    """One answer of an indicator asked as a choice ("what do you have?")."""

    label: Bilingual
    deprived: bool


class IndicatorModel(Strict):
    """A deprivation indicator and how to ask it.

    ``deprived_if``: the yes/no answer that means deprived, so a question can ask what the
    household *has* ("Nhà có nước sạch không?", deprived if "no") instead of a double
    negative. ``options``: ask as a choice instead; each option says whether it is deprived.
    ``skip_if_deprived``: not asked, and never counted, when one of these is already deprived
    (one fact, such as having no phone, must not count as several deprivations).
    ``not_deprived_on_chat_apps``: someone in a household writing on Telegram or Zalo uses a
    smartphone with internet, so the indicator is answered without asking.
    """

    dimension: str
    name: Bilingual
    question: Bilingual
    ask_if: AskIf | None
    confidence: Confidence
    deprived_if: Literal["yes", "no"] = "yes"
    options: list[AnswerOption] | None = None
    skip_if_deprived: list[str] = Field(default_factory=list)
    not_deprived_on_chat_apps: bool = False

    @model_validator(mode="after")
    def _answers(self) -> IndicatorModel:
        if self.options is not None:
            if len(self.options) < 2:
                raise ValueError("an indicator asked as a choice needs at least two options")
            if {o.deprived for o in self.options} != {True, False}:
                raise ValueError("options must include a deprived and a not-deprived answer")
            if "deprived_if" in self.model_fields_set:
                raise ValueError("give either options or deprived_if, not both")
        return self


class IndicatorsFile(Strict):
    dimensions: dict[str, Bilingual] = Field(min_length=1)
    indicators: dict[str, IndicatorModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_dimensions(self) -> IndicatorsFile:
        for key, ind in self.indicators.items():
            if ind.dimension not in self.dimensions:
                raise ValueError(f"indicator {key!r} has unknown dimension {ind.dimension!r}")
            for other in ind.skip_if_deprived:
                if other not in self.indicators or other == key:
                    raise ValueError(f"indicator {key!r}: skip_if_deprived names {other!r}")
                if key in self.indicators[other].skip_if_deprived:
                    raise ValueError(f"indicators {key!r} and {other!r} skip each other")
        return self
