"""Disaster urgency: each stated rule moves the score by its points; the threshold flags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.reports.urgency import UrgencyRules, load_urgency_rules, score_disaster

BASE: dict[str, Any] = {"danger_now": False, "hazard": None, "house_state": "ok", "people": 1}


def _score(rules: UrgencyRules, **changes: Any) -> int:
    return score_disaster({**BASE, **changes}, rules).score


def test_empty_report_scores_zero(rules: UrgencyRules) -> None:
    assert score_disaster({}, rules).score == 0
    assert score_disaster(BASE, rules).flagged is False
    assert score_disaster(BASE, rules).reasons == ()


def test_danger_now_adds_its_points_and_always_flags(rules: UrgencyRules) -> None:
    urgency = score_disaster({**BASE, "danger_now": True}, rules)
    assert urgency.score == rules.danger_now.points == 50
    assert urgency.flagged and urgency.reasons == ("danger_now",)
    silent = rules.danger_now.model_copy(update={"points": 0})
    never = rules.model_copy(update={"threshold": 100, "danger_now": silent})
    assert score_disaster({"danger_now": True}, never).score == 0
    assert score_disaster({"danger_now": True}, never).flagged  # flagged whatever the score
    assert score_disaster({"danger_now": "yes"}, rules).score == 0  # only a real True


HAZARDS = ["flood", "landslide", "flash_flood", "collapse", "storm", "fire"]


@pytest.mark.parametrize("hazard", HAZARDS)
def test_each_hazard_adds_its_points(rules: UrgencyRules, hazard: str) -> None:
    urgency = score_disaster({**BASE, "hazard": hazard}, rules)
    assert urgency.score == rules.hazard[hazard].points > 0
    assert urgency.reasons == (f"hazard:{hazard}",)


def test_sudden_hazards_rank_above_storm_and_flood(rules: UrgencyRules) -> None:
    for sudden in ("flash_flood", "landslide"):
        assert _score(rules, hazard=sudden) > _score(rules, hazard="flood")
        assert _score(rules, hazard=sudden) > _score(rules, hazard="storm")


@pytest.mark.parametrize("state", ["collapsed", "unsafe", "damaged", "flooded"])
def test_each_house_state_adds_its_points(rules: UrgencyRules, state: str) -> None:
    assert _score(rules, house_state=state) == rules.house_state[state].points > 0


@pytest.mark.parametrize("hazard", [*HAZARDS, None, "volcano"])
def test_a_collapsed_house_is_flagged_whatever_the_hazard(rules: UrgencyRules, hazard) -> None:
    details = {"hazard": hazard, "house_state": "collapsed", "people": 1}
    urgency = score_disaster(details, rules)
    assert urgency.flagged and "house_state:collapsed" in urgency.reasons
    # ...and it stays so when an officer raises the threshold out of reach.
    assert score_disaster(details, rules.model_copy(update={"threshold": 100})).flagged
    cracked = score_disaster({**details, "house_state": "damaged", "hazard": "storm"}, rules)
    assert not cracked.flagged  # the flag is the collapse's, not the storm's


@pytest.mark.parametrize("stay", ["evacuated", "elsewhere", "relocate"])
def test_being_out_of_the_house_adds_its_points(rules: UrgencyRules, stay: str) -> None:
    assert _score(rules, stay=stay) == rules.stay[stay].points > 0
    assert _score(rules, stay="home") == 0
    assert score_disaster({"stay": stay}, rules).reasons == (f"stay:{stay}",)


def test_told_to_relocate_ranks_above_staying_elsewhere(rules: UrgencyRules) -> None:
    assert _score(rules, stay="relocate") > _score(rules, stay="elsewhere")


def test_house_states_rank_by_danger(rules: UrgencyRules) -> None:
    ranked = [_score(rules, house_state=s) for s in ("collapsed", "unsafe", "damaged", "ok")]
    assert ranked == sorted(ranked, reverse=True)
    assert ranked[0] > ranked[1] > ranked[2] > ranked[3] == 0


@pytest.mark.parametrize("kind", ["elderly", "children", "disabled", "pregnant"])
def test_each_vulnerable_kind_adds_once(rules: UrgencyRules, kind: str) -> None:
    assert _score(rules, vulnerable=[kind]) == rules.vulnerable[kind].points > 0
    assert _score(rules, vulnerable=[kind, kind]) == rules.vulnerable[kind].points


def test_vulnerable_kinds_add_up(rules: UrgencyRules) -> None:
    kinds = ["elderly", "children", "disabled", "pregnant"]
    urgency = score_disaster({**BASE, "vulnerable": kinds}, rules)
    assert urgency.score == sum(rules.vulnerable[k].points for k in kinds)
    assert urgency.reasons == tuple(f"vulnerable:{k}" for k in kinds)


@pytest.mark.parametrize(
    ("people", "band"), [(1, "1-2"), (2, "1-2"), (3, "3-5"), (5, "3-5"), (6, "6-9"), (9, "6-9"),
                         (10, "10+"), (250, "10+")]
)  # fmt: skip
def test_people_bands(rules: UrgencyRules, people: int, band: str) -> None:
    points = next(b.points for b in rules.people if b.key == band)
    assert _score(rules, people=people) == points
    if points:
        assert score_disaster({"people": people}, rules).reasons == (f"people:{band}",)


def test_more_people_never_lowers_the_score(rules: UrgencyRules) -> None:
    scores = [_score(rules, people=n) for n in range(1, 40)]
    assert scores == sorted(scores)
    assert scores[-1] > scores[0]


def test_score_is_capped(rules: UrgencyRules) -> None:
    worst = {
        "danger_now": True,
        "hazard": "flash_flood",
        "house_state": "collapsed",
        "people": 30,
        "vulnerable": ["elderly", "children", "disabled", "pregnant"],
    }
    urgency = score_disaster(worst, rules)
    assert urgency.score == rules.cap == 100
    assert len(urgency.reasons) == 8
    assert score_disaster({**worst, "stay": "relocate"}, rules).score == rules.cap


def test_threshold_flags_at_exactly_its_score(rules: UrgencyRules) -> None:
    details = {"hazard": "landslide", "house_state": "unsafe", "people": 4}
    score = score_disaster(details, rules).score
    at = rules.model_copy(update={"threshold": score})
    above = rules.model_copy(update={"threshold": score + 1})
    assert score_disaster(details, at).flagged
    assert not score_disaster(details, above).flagged


def test_real_threshold_separates_examples(rules: UrgencyRules) -> None:
    cracked = {"hazard": "landslide", "house_state": "unsafe", "people": 4}
    wet = {"hazard": "flood", "house_state": "flooded", "people": 4}
    assert score_disaster(cracked, rules).flagged
    assert not score_disaster(wet, rules).flagged


@pytest.mark.parametrize(
    "details",
    [
        {"hazard": "volcano", "house_state": "gone", "vulnerable": ["giants"], "people": -3},
        {"hazard": 7, "house_state": None, "vulnerable": "elderly", "people": True},
    ],
)
def test_unknown_or_ill_typed_values_add_nothing(rules: UrgencyRules, details) -> None:
    assert score_disaster(details, rules).score == 0


def test_reasons_have_text(rules: UrgencyRules) -> None:
    worst = {"danger_now": True, "hazard": "fire", "house_state": "collapsed", "people": 7,
             "vulnerable": ["pregnant"], "stay": "relocate"}  # fmt: skip
    for reason in score_disaster(worst, rules).reasons:
        assert rules.why(reason)["vi"] and rules.why(reason)["en"]
    with pytest.raises(KeyError):
        rules.why("hazard:volcano")


def _write(tmp_path: Path, urgency_yml: Path, change) -> Path:
    data = yaml.safe_load(urgency_yml.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "urgency.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["hazard"].pop("storm"), "missing rules ['storm']"),
        (lambda d: d["vulnerable"].update(giant={"points": 1, "why": {"vi": "a", "en": "b"}}),
         "unknown keys ['giant']"),
        (lambda d: d["people"][1].update(min=2), "overlap"),
        (lambda d: d.update(threshold=101), "threshold"),
        (lambda d: d["house_state"]["ok"].update(points="0"), "house_state.ok.points"),
    ],
)  # fmt: skip
def test_bad_rules_name_file_and_key(tmp_path, urgency_yml, change, expected) -> None:
    with pytest.raises(ValueError) as caught:
        load_urgency_rules(_write(tmp_path, urgency_yml, change))
    assert "urgency.yml" in str(caught.value)
    assert expected in str(caught.value)
