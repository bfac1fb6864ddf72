"""PlaceFilter: the gazetteer is asked only when a message may name a place, with the same
places found as when it is asked every time."""

from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.nlu.data import load_files, load_project
from bot.nlu.normalize import Normalizer
from bot.nlu.place_entity import PlaceFilter, extract_place
from bot.places.gazetteer import Gazetteer
from bot.textnorm import strip_diacritics

from .conftest import NLU_DATA, FakePlaces


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(ROOT / "data" / "places")


@pytest.fixture(scope="module")
def may_name(gazetteer: Gazetteer) -> PlaceFilter:
    found = PlaceFilter.of(gazetteer)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("text", "passes"),
    [
        ("nhà em ở bản Nam Niệu bị ngập", True),
        ("nha e o ban na cang", True),  # a village after a type word
        ("xã Mù Cả mưa to", True),
        ("Chiềng Xôm ngập rồi", True),  # a former commune's two-word name, bare
        ("o tk 4 co ai khong", True),  # tiểu khu 4: a digit name after a type word
        ("Panh", True),  # one or two words: always asked
        ("nhà em bị ngập rồi cứu với", False),
        ("cho em hỏi vay vốn hộ nghèo được bao nhiêu", False),
        ("bạn giúp được gì cho em", False),
    ],
)
def test_passes_messages_that_may_name_a_place(
    normalizer: Normalizer, may_name: PlaceFilter, text: str, passes: bool
) -> None:
    assert may_name(normalizer(text)) is passes


def test_same_places_as_asking_the_gazetteer_every_time(
    normalizer: Normalizer, gazetteer: Gazetteer, may_name: PlaceFilter
) -> None:
    examples = load_project(NLU_DATA).examples
    examples += load_files([NLU_DATA / "tests" / "dev_nlu.yml"]).examples
    texts = [e.text for e in examples]
    names = [v.display_name for v in gazetteer.all_villages()]
    names += [c.display_name for c in gazetteer.communes()] + [c.name for c in gazetteer.communes()]
    texts += [f"nha em o {n} bi ngap roi" for n in names] + [f"{n} lu to cuu voi" for n in names]
    texts += [strip_diacritics(t) for t in texts]
    found = 0
    for text in texts:
        norm = normalizer(text)
        everywhere = extract_place(norm, gazetteer, 95.0)
        filtered = extract_place(norm, gazetteer, 95.0) if may_name(norm) else []
        assert filtered == everywhere, text
        found += bool(everywhere)
    assert found >= 1000  # the check saw many real matches, not only misses


def test_another_lookup_is_asked_every_time(places: FakePlaces) -> None:
    assert PlaceFilter.of(places) is None
