"""Pydantic models of ``supports.yml``, ``loans.yml`` and ``review.yml``.

A loan version overrides only the programme defaults it names (``model_fields_set``), so an
explicit ``max_note: null`` in a version clears the programme's note for those dates.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, StrictInt, model_validator

from bot.policy.schema import (
    Bilingual,
    ClassLabel,
    Confidence,
    Requirement,
    Strict,
    check_no_overlap,
)


class SupportModel(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Bilingual
    detail: Bilingual
    for_classes: list[ClassLabel] = Field(min_length=1)
    legal_basis: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    confidence: Confidence
    valid_from: date
    valid_to: date | None
    requires: list[Requirement] = Field(default_factory=list)
    # Disaster supports: the report facts that make it plausible (any listed value of any
    # listed fact), e.g. {house_state: [collapsed]}; keys: house_state, stay.
    applies_if: dict[Literal["house_state", "stay"], list[str]] = Field(default_factory=dict)


class SupportsFile(Strict):
    supports: list[SupportModel] = Field(min_length=1)
    disaster: list[SupportModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap_per_key(self) -> SupportsFile:
        entries = self.supports + self.disaster
        for key in {s.key for s in entries}:
            check_no_overlap([s for s in entries if s.key == key], f"support {key!r}")
        return self


class LoanVersion(Strict):
    valid_from: date
    valid_to: date | None
    rate_percent: float | None = Field(ge=0, le=100)
    confidence: Confidence
    legal_basis: str = Field(min_length=1)
    # Optional overrides of the programme defaults.
    who: Bilingual | None = None
    max_amount: StrictInt | None = Field(default=None, gt=0)
    max_note: Bilingual | None = None
    term_months: StrictInt | None = Field(default=None, gt=0)


class LoanProgramModel(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Bilingual
    short: Bilingual  # the name in a numbered list or a one-line result
    who: Bilingual
    for_classes: list[ClassLabel] = Field(min_length=1)
    max_amount: StrictInt | None = Field(gt=0)
    max_note: Bilingual | None
    term_months: StrictInt | None = Field(gt=0)
    requires: list[Requirement] = Field(default_factory=list)
    versions: list[LoanVersion] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> LoanProgramModel:
        check_no_overlap(self.versions, f"loan {self.key!r} versions")
        return self


class LoansFile(Strict):
    programs: list[LoanProgramModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> LoansFile:
        keys = [p.key for p in self.programs]
        if len(set(keys)) != len(keys):
            raise ValueError("loan programme keys repeat")
        return self


class TextPart(Strict):
    text: Bilingual
    confidence: Confidence


class PeriodicPart(TextPart):
    start: str = Field(pattern=r"^\d{2}-\d{2}$")
    end: str = Field(pattern=r"^\d{2}-\d{2}$")
    legal_basis: str

    @model_validator(mode="after")
    def _real_days(self) -> PeriodicPart:
        # 2001 is not a leap year: a window may not hinge on 29 Feb.
        start = date.fromisoformat(f"2001-{self.start}")
        end = date.fromisoformat(f"2001-{self.end}")
        if end < start:
            raise ValueError("the yearly review window must end after it starts, in one year")
        return self


class MonthlyPart(TextPart):
    day: StrictInt = Field(ge=1, le=28)
    legal_basis: str


class FormModel(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    number: str
    name: Bilingual
    use: Bilingual
    to: Bilingual
    legal_basis: str
    confidence: Confidence


class CivilRegistration(Strict):
    """Birth and death registration: a separate step from telling the commune's review."""

    birth: TextPart
    death: TextPart


class ReviewFile(Strict):
    periodic: PeriodicPart
    monthly: MonthlyPart
    forms: list[FormModel] = Field(min_length=1)
    how_to_submit: TextPart
    loans_path: TextPart
    indicative: TextPart
    civil_registration: CivilRegistration
