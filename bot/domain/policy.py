"""Poverty standards, indicators, supports and loan programmes as plain values.

All of them are loaded from dated, sourced YAML in ``data/policy/``; the bot cites
``legal_basis`` when it answers and softens any value whose ``confidence`` is not ``C``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Klass = Literal["poor", "near_poor", "average", "above"]


@dataclass(frozen=True, slots=True)
class Indicator:
    """One deprivation indicator with a question a villager can answer with yes / no.

    ``deprived_if`` is the yes/no answer to ``question`` that means the household IS
    deprived (``"yes"``, or ``"no"`` for a question about what the household has); when
    ``options`` is not empty the question is a choice instead, each option ``(label,
    deprived)``. ``ask_if`` names a household fact that, when known to be false, makes the
    question not apply (``"has_children_3_15"``, ``"has_member_16_30"``,
    ``"has_child_under_16"``), or None. ``skip_if_deprived``: indicators that already count
    the same fact (then this one is neither asked nor counted). ``not_deprived_on_chat_apps``:
    answered "not deprived" for a household writing from a smartphone app.
    """

    key: str
    dimension: str
    name: dict[str, str]
    question: dict[str, str]
    ask_if: str | None
    confidence: str
    deprived_if: str = "yes"
    options: tuple[tuple[dict[str, str], bool], ...] = ()
    skip_if_deprived: tuple[str, ...] = ()
    not_deprived_on_chat_apps: bool = False


@dataclass(frozen=True, slots=True)
class Standard:
    """A national poverty standard and the dates it is in force (inclusive)."""

    id: str
    name: dict[str, str]
    legal_basis: str
    valid_from: date
    valid_to: date | None
    income_line: dict[str, int]  # area -> VND per person per month
    average_upper: dict[str, int] | None  # area -> upper bound of "average living standard"
    min_deprivations: int
    indicators: tuple[str, ...]
    confidence: str
    short: dict[str, str] | None = None  # name and legal basis in a few words


@dataclass(frozen=True, slots=True)
class Classification:
    """The indicative class of a household under ``standard``."""

    klass: Klass
    standard: Standard
    area: str
    income: int
    income_line: int
    deprivations: int
    counted: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Support:
    """A support a class of household may get (health insurance, electricity, housing...)."""

    key: str
    name: dict[str, str]
    detail: dict[str, str]
    for_classes: tuple[str, ...]
    legal_basis: str
    confidence: str
    valid_from: date
    valid_to: date | None
    requires: tuple[str, ...] = ()  # facts that must be known true (e.g. "rural")
    # Disaster supports: report fact -> values that make it plausible ({"house_state": ...}).
    applies_if: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoanProgram:
    """A VBSP (NHCSXH) preferential loan programme with the values in force on a date."""

    key: str
    name: dict[str, str]
    who: dict[str, str]
    max_amount: int | None
    max_note: dict[str, str] | None
    rate_percent: float | None
    term_months: int | None
    legal_basis: str
    confidence: str
    for_classes: tuple[str, ...]
    valid_from: date
    valid_to: date | None
    short: dict[str, str] | None = None  # the name in a numbered list
    requires: tuple[str, ...] = ()  # facts that must be known true (e.g. "rural")
