"""Urgency of a disaster report, from stated rules in ``data/urgency.yml``.

The score is the sum of the points of each fact in the report, capped (0..100). A report is
flagged when the score reaches the threshold, when someone is in danger now, or when a fact
whose rule says ``flags: true`` is present (a collapsed house, whatever the hazard).
``reasons`` are machine keys of the rules that added points or flagged (``danger_now``,
``hazard:<hazard>``, ``house_state:<state>``, ``stay:<where>``, ``vulnerable:<kind>``,
``people:<band>``), in that order; ``UrgencyRules.why(key)`` gives the one-line
Vietnamese/English text for an officer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, StrictInt, model_validator

from bot.policy.loader import read_model
from bot.policy.schema import Bilingual, Strict

Hazard = Literal["flood", "landslide", "flash_flood", "collapse", "storm", "fire"]
HouseState = Literal["collapsed", "unsafe", "damaged", "flooded", "ok"]
Stay = Literal["home", "evacuated", "elsewhere", "relocate"]
Vulnerable = Literal["elderly", "children", "disabled", "pregnant"]


class Rule(Strict):
    points: StrictInt = Field(ge=0, le=100)
    why: Bilingual
    flags: bool = False  # this fact alone flags the report, whatever the score


class PeopleBand(Rule):
    key: str = Field(min_length=1)
    min: StrictInt = Field(ge=0)
    max: StrictInt | None


class UrgencyRules(Strict):
    """The validated contents of ``data/urgency.yml``; every hazard, house state and
    vulnerable kind must have a rule, and people bands must not overlap."""

    threshold: StrictInt = Field(ge=1, le=100)
    cap: StrictInt = Field(ge=1, le=100)
    danger_now: Rule
    hazard: dict[str, Rule]
    house_state: dict[str, Rule]
    stay: dict[str, Rule]
    vulnerable: dict[str, Rule]
    people: list[PeopleBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> UrgencyRules:
        kinds = (
            ("hazard", Hazard),
            ("house_state", HouseState),
            ("stay", Stay),
            ("vulnerable", Vulnerable),
        )
        for name, kind in kinds:
            expected, given = set(get_args(kind)), set(getattr(self, name))
            if given != expected:
                missing, extra = sorted(expected - given), sorted(given - expected)
                raise ValueError(f"{name}: missing rules {missing}, unknown keys {extra}")
        if self.threshold > self.cap:
            raise ValueError("threshold is above cap: nothing could be flagged by score")
        bands = sorted(self.people, key=lambda b: b.min)
        for band in bands:
            if band.max is not None and band.max < band.min:
                raise ValueError(f"people band {band.key!r}: max is below min")
        for before, after in pairwise(bands):
            if before.max is None or before.max >= after.min:
                raise ValueError(f"people bands {before.key!r} and {after.key!r} overlap")
        return self

    def why(self, reason: str) -> dict[str, str]:
        """``{"vi", "en"}`` text of a reason key from :class:`Urgency`; KeyError if unknown."""
        fact, _, value = reason.partition(":")
        if fact == "danger_now" and not value:
            rule: Rule = self.danger_now
        elif fact == "people":
            rule = next(b for b in self.people if b.key == value)
        elif fact in ("hazard", "house_state", "stay", "vulnerable") and value:
            rule = getattr(self, fact)[value]
        else:
            raise KeyError(reason)
        return {"vi": rule.why.vi, "en": rule.why.en}


@dataclass(frozen=True, slots=True)
class Urgency:
    score: int  # 0..100
    flagged: bool
    reasons: tuple[str, ...]


def load_urgency_rules(path: Path) -> UrgencyRules:
    """Read ``path``; raises ValueError naming the file and key on bad data."""
    return read_model(path, UrgencyRules)


def score_disaster(details: Mapping[str, Any], rules: UrgencyRules) -> Urgency:
    """Score a disaster report's ``details``.

    Reads ``danger_now`` (only ``True`` counts), ``hazard``, ``house_state``, ``stay``,
    ``people`` (int, bool refused) and ``vulnerable`` (list; each kind once). Missing or
    unknown values add nothing: a half-filled report is still scored, never rejected (the
    disaster journey files the report as soon as the place is known and scores it again as
    each answer comes).
    """
    hits: list[tuple[str, Rule]] = []
    danger = details.get("danger_now") is True
    if danger:
        hits.append(("danger_now", rules.danger_now))
    for fact, table in (
        ("hazard", rules.hazard),
        ("house_state", rules.house_state),
        ("stay", rules.stay),
    ):
        value = details.get(fact)
        if isinstance(value, str) and value in table:
            hits.append((f"{fact}:{value}", table[value]))
    vulnerable = details.get("vulnerable")
    if isinstance(vulnerable, list | tuple):
        for kind in dict.fromkeys(v for v in vulnerable if isinstance(v, str)):
            if kind in rules.vulnerable:
                hits.append((f"vulnerable:{kind}", rules.vulnerable[kind]))
    people = details.get("people")
    if isinstance(people, int) and not isinstance(people, bool):
        for band in rules.people:
            if band.min <= people and (band.max is None or people <= band.max):
                hits.append((f"people:{band.key}", band))
    counted = [(key, rule) for key, rule in hits if rule.points > 0 or rule.flags]
    score = min(rules.cap, sum(rule.points for _, rule in counted))
    return Urgency(
        score=score,
        flagged=danger or score >= rules.threshold or any(rule.flags for _, rule in counted),
        reasons=tuple(key for key, _ in counted),
    )
