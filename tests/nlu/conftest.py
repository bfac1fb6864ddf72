"""Fixtures for the NLU tests: one trained BuiltinNlu per session, a fake gazetteer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ROOT
from bot.domain.places import Commune, PlaceMatch, Village
from bot.nlu.builtin import BuiltinNlu
from bot.nlu.normalize import Normalizer
from bot.textnorm import fold, fold_keep_offsets

NLU_DATA = ROOT / "nlu_data"
TABLES = ROOT / "data" / "nlu"


class FakePlaces:
    """A two-commune gazetteer implementing bot.ports.PlaceLookup by exact folded search."""

    def __init__(self) -> None:
        self.chieng_an = Commune(
            "03664", "Chiềng An", "phuong", "Sơn La", "14", "urban", "P",
            ("Chiềng Xôm", "Chiềng Đen"),
        )  # fmt: skip
        self.mu_ca = Commune("07000", "Mù Cả", "xa", "Lai Châu", "12", "rural", "C")
        self.panh = Village("03664:panh", "Panh", "bản Panh", "ban", "03664", "C")
        self.nam_nieu = Village("03664:nam niệu", "Nam Niệu", "bản Nam Niệu", "ban", "03664", "P")
        self.calls: list[str] = []

    def match(
        self, text: str, *, commune_code: str | None = None, limit: int = 5
    ) -> list[PlaceMatch]:
        self.calls.append(text)
        folded = fold_keep_offsets(text)
        found = []
        for village in (self.nam_nieu, self.panh):
            at = folded.find(fold(village.display_name))
            if at >= 0:
                matched = text[at : at + len(village.display_name)]
                found.append(PlaceMatch(self.chieng_an, village, 95.0, matched))
        at = folded.find("xa mu ca")
        if at >= 0:
            found.append(PlaceMatch(self.mu_ca, None, 100.0, text[at : at + 8]))
        return found[:limit]

    def commune(self, code: str) -> Commune | None:
        return {c.code: c for c in (self.chieng_an, self.mu_ca)}.get(code)

    def village(self, village_id: str) -> Village | None:
        return {v.id: v for v in (self.panh, self.nam_nieu)}.get(village_id)

    def villages_of(self, commune_code: str) -> list[Village]:
        return [v for v in (self.panh, self.nam_nieu) if v.commune_code == commune_code]


@pytest.fixture(scope="session")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture(scope="session")
def nlu(nlu_cache: Path) -> BuiltinNlu:
    """The built-in NLU trained on the real project data (no gazetteer)."""
    return BuiltinNlu.train(NLU_DATA, cache_dir=nlu_cache)


@pytest.fixture(scope="session")
def normalizer() -> Normalizer:
    return Normalizer.from_file(TABLES / "abbreviations.yml")


@pytest.fixture
def places() -> FakePlaces:
    return FakePlaces()
