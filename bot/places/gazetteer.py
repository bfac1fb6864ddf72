"""The in-memory gazetteer: province -> commune (2025 codes) -> village, with name matching.

Implements :class:`bot.ports.PlaceLookup`. Build it from ``data/places/`` with
:meth:`Gazetteer.load` or from database rows with :meth:`Gazetteer.from_records`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.domain.places import Commune, PlaceMatch, Village
from bot.places import index as index_mod
from bot.places import loader, matcher
from bot.places.importer import read_villages_csv
from bot.places.names import COMMUNE_TYPES, split_type
from bot.textnorm import fold


class Gazetteer:
    """Communes, their former units and villages; thread-safe for reads.

    ``add_villages`` rebuilds the index and swaps it in one assignment, so a concurrent
    ``match`` sees either the old or the new index, never a half-built one.
    """

    def __init__(
        self,
        communes: Iterable[Commune],
        villages: Iterable[Village],
        predecessors: Iterable[tuple[str, str, str]],
    ) -> None:
        self._communes = {c.code: c for c in communes}
        self._by_name: dict[str, list[Commune]] = {}
        for c in sorted(self._communes.values(), key=lambda c: c.code):
            self._by_name.setdefault(fold(c.name), []).append(c)
        self._predecessors = tuple(predecessors)
        self._areas = index_mod.area_entries(self._communes.values(), self._predecessors)
        self._villages: dict[str, Village] = {}
        self._add(villages)
        self._reindex()

    @classmethod
    def from_records(
        cls,
        communes: Iterable[Commune],
        villages: Iterable[Village],
        predecessors: Iterable[tuple[str, str, str]],
    ) -> Gazetteer:
        """Build from records; predecessor rows are ("xã Chiềng Xôm", "huyện ...", code)."""
        return cls(communes, villages, predecessors)

    @classmethod
    def load(cls, places_dir: Path) -> Gazetteer:
        """Load ``communes.csv``, ``commune_predecessors.csv`` and every ``villages*.csv``.

        Raises ValueError when a village file has errors (unknown commune, bad header...):
        the shipped data must be clean.
        """
        gz = cls(
            loader.read_communes(places_dir / loader.COMMUNES_CSV),
            (),
            loader.read_predecessors(places_dir / loader.PREDECESSORS_CSV),
        )
        for path in sorted(places_dir.glob(loader.VILLAGES_GLOB)):
            result = read_villages_csv(path, gz)
            if result.errors:
                raise ValueError(f"{path}: {result.errors[:5]}")
            gz.add_villages(result.villages)
        return gz

    # -- PlaceLookup ---------------------------------------------------------------------------

    def match(
        self, text: str, *, commune_code: str | None = None, limit: int = 5
    ) -> list[PlaceMatch]:
        """Places named in ``text``, best first (score 0..100); ``commune_code`` narrows villages.

        Never raises on a str; reads at most the first 1,000 characters.
        """
        return matcher.match(self._index, self._communes, self._villages, text, commune_code, limit)

    def commune(self, code: str) -> Commune | None:
        return self._communes.get(code)

    def village(self, village_id: str) -> Village | None:
        return self._villages.get(village_id)

    def villages_of(self, commune_code: str) -> list[Village]:
        """Villages of a commune, sorted by folded name."""
        found = [v for v in self._villages.values() if v.commune_code == commune_code]
        return sorted(found, key=lambda v: (fold(v.name), v.id))

    # -- extras --------------------------------------------------------------------------------

    def communes(self, province: str | None = None) -> list[Commune]:
        """All communes (of one province, by name with or without diacritics), in code order."""
        want = fold(province) if province else None
        return sorted(
            (c for c in self._communes.values() if want is None or fold(c.province) == want),
            key=lambda c: c.code,
        )

    def all_villages(self) -> list[Village]:
        """Every village, in id order (for persisting the gazetteer)."""
        return [self._villages[k] for k in sorted(self._villages)]

    def predecessor_rows(self) -> list[tuple[str, str, str]]:
        """(former unit with type word, former district, new commune code) rows."""
        return list(self._predecessors)

    def has_province(self, province: str) -> bool:
        """True when some commune lies in ``province`` (compared folded)."""
        want = fold(province)
        return any(fold(p) == want for p in {c.province for c in self._communes.values()})

    def find_communes(self, name: str, province: str | None = None) -> list[Commune]:
        """Communes whose name equals ``name`` up to case, spacing and diacritics.

        A leading type word ("xã", "p.", "phuong") must agree with the commune's type.
        """
        ctype, toks = split_type(name)
        if ctype is not None and ctype not in COMMUNE_TYPES:
            return []
        want = fold(province) if province else None
        return [
            c
            for c in self._by_name.get(" ".join(toks.folded), ())
            if (ctype is None or ctype == c.type) and (want is None or fold(c.province) == want)
        ]

    def add_villages(self, villages: Iterable[Village]) -> int:
        """Add villages whose id is new (unknown communes are ignored); returns how many."""
        added = self._add(villages)
        if added:
            self._reindex()
        return added

    def _add(self, villages: Iterable[Village]) -> int:
        added = 0
        for v in villages:
            if v.id not in self._villages and v.commune_code in self._communes:
                self._villages[v.id] = v
                added += 1
        return added

    def _reindex(self) -> None:
        self._index = index_mod.build(self._areas, self._villages.values())
