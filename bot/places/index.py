"""The alias index behind :class:`bot.places.gazetteer.Gazetteer`.

Every name the matcher can recognise is one :class:`Entry` under its folded key. A key may hold
several entries: "chieng an" is phường Chiềng An and also the former xã Chiềng Ân (now in xã
Chiềng Hoa); "mai son" is the new xã Mai Sơn and the former huyện Mai Sơn.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.domain.places import Commune, Village
from bot.places.names import DISPLAY, Tokens, key, split_type, surface, tokenize

Kind = Literal["commune", "predecessor", "district", "province", "village"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One recognisable name. ``codes`` are the 2025 commune codes it stands for."""

    kind: Kind
    type: str  # canonical type word of the unit ("xa", "huyen", "ban", "tinh", ...)
    surface: str  # accented lower-case tokens, aligned with the key
    codes: tuple[str, ...]
    via: str | None = None  # former unit as written for users: "xã Chiềng Xôm"
    village_id: str | None = None
    province: str | None = None


@dataclass(frozen=True, slots=True)
class Index:
    exact: dict[str, tuple[Entry, ...]]
    max_tokens: int
    # Keys per group for fuzzy search, and the tokens of all keys (a cheap prefilter).
    village_keys: tuple[str, ...]
    area_keys: tuple[str, ...]  # current and former communes
    district_keys: tuple[str, ...]
    province_keys: tuple[str, ...]
    all_keys: tuple[str, ...]
    # (token count, position, token) -> keys: the prefilter for fuzzy search in sentences.
    by_position: dict[tuple[int, int, str], tuple[str, ...]]


def area_entries(
    communes: Iterable[Commune], predecessors: Iterable[tuple[str, str, str]]
) -> dict[str, list[Entry]]:
    """Entries for current communes, provinces, former units and former districts."""
    by_key: dict[str, list[Entry]] = defaultdict(list)
    communes = list(communes)
    names = {c.code: tokenize(c.name) for c in communes}
    for c in communes:
        _add(by_key, names[c.code], Entry("commune", c.type, surface(names[c.code]), (c.code,)))
    for province in sorted({c.province for c in communes}):
        toks = tokenize(province)
        _add(by_key, toks, Entry("province", "tinh", surface(toks), (), province=province))

    districts: dict[tuple[str, str], tuple[Tokens, list[str]]] = {}
    seen: set[tuple[str, str]] = set()
    for former, district, code in predecessors:
        ftype, ftoks = split_type(former)
        if not ftoks.folded or code not in names:
            continue
        # A unit that kept its name (or was not merged) is already indexed as the commune.
        if (key(ftoks), code) not in seen and key(ftoks) != key(names[code]):
            seen.add((key(ftoks), code))
            entry = Entry("predecessor", ftype or "xa", surface(ftoks), (code,), _via(ftype, ftoks))
            _add(by_key, ftoks, entry)
        dtype, dtoks = split_type(district)
        if dtoks.folded:
            _, codes = districts.setdefault((dtype or "huyen", key(dtoks)), (dtoks, []))
            if code not in codes:
                codes.append(code)
    for (dtype, _), (dtoks, codes) in districts.items():
        entry = Entry("district", dtype, surface(dtoks), tuple(codes), _via(dtype, dtoks))
        _add(by_key, dtoks, entry)
    return by_key


def build(areas: dict[str, list[Entry]], villages: Iterable[Village]) -> Index:
    """The full index: ``areas`` (from :func:`area_entries`) plus villages."""
    by_key = defaultdict(list, {k: list(es) for k, es in areas.items()})
    for v in villages:
        toks = tokenize(v.name)
        entry = Entry("village", v.village_type, surface(toks), (v.commune_code,), village_id=v.id)
        _add(by_key, toks, entry)

    exact = {k: tuple(es) for k, es in by_key.items()}
    groups: dict[str, set[str]] = defaultdict(set)
    for k, es in exact.items():
        for e in es:
            groups["area" if e.kind in ("commune", "predecessor") else e.kind].add(k)
    positions: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for k in groups["village"] | groups["area"] | groups["district"]:
        parts = k.split()
        for pos, tok in enumerate(parts):
            positions[(len(parts), pos, tok)].add(k)
    return Index(
        exact=exact,
        max_tokens=max((k.count(" ") + 1 for k in exact), default=1),
        village_keys=tuple(sorted(groups["village"])),
        area_keys=tuple(sorted(groups["area"])),
        district_keys=tuple(sorted(groups["district"])),
        province_keys=tuple(sorted(groups["province"])),
        all_keys=tuple(sorted(groups["village"] | groups["area"] | groups["district"])),
        by_position={p: tuple(sorted(ks)) for p, ks in positions.items()},
    )


def _via(type_: str | None, toks: Tokens) -> str:
    name = toks.text[toks.spans[0][0] :] if toks.spans else toks.text
    return f"{DISPLAY[type_]} {name}" if type_ else name


def _add(by_key: dict[str, list[Entry]], toks: Tokens, entry: Entry) -> None:
    k = key(toks)
    if k and entry not in by_key[k]:
        by_key[k].append(entry)
