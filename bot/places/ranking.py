"""Scoring and combining the hits the matcher found into ranked :class:`PlaceMatch` results.

Scores start at 100 for an exact name (ratio - 5 for a fuzzy one), then: former commune -5,
former district -10, a type word of the wrong kind -5/-10, a bare village name -3, a
historical village -5, each letter whose typed marks disagree -10, a place outside the
province named -10. A village whose commune is also named gets +5 (capped at 100) and absorbs
the commune; a village when another commune is named gets -15.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.places import Commune, PlaceMatch, Village
from bot.places.index import Entry
from bot.places.names import (
    COMMUNE_TYPES,
    DISTRICT_TYPES,
    FORMER_COMMUNE_TYPES,
    PROVINCE_TYPES,
    VILLAGE_TYPES,
    Tokens,
)

MIN_SCORE = 50.0
_KIND_COST = {"commune": 0.0, "village": 0.0, "predecessor": 5.0, "district": 10.0}
_CONFIDENCE_COST = {"H": 5.0}  # historical village names rank below current ones
_CONFIDENCE_RANK = {"C": 0, "P": 1, "SEED": 2, "H": 3}
_ALLOWED_TYPES = {
    "village": VILLAGE_TYPES,
    "commune": FORMER_COMMUNE_TYPES,
    "predecessor": FORMER_COMMUNE_TYPES,
    "district": DISTRICT_TYPES,
    "province": PROVINCE_TYPES,
}


@dataclass(slots=True)
class Hit:
    """One reading of tokens ``name_start:end`` as ``entry`` (``start`` includes a type word)."""

    entry: Entry
    start: int  # first token, including the type word
    name_start: int
    end: int
    score: float
    weak: bool = False  # a bare former district name: used only when nothing else matched


def score_entry(
    e: Entry, anchor: tuple[str, int] | None, i: int, j: int, base: float
) -> Hit | None:
    """Apply kind and type-word costs; None when the type word rules the entry out."""
    score = base - _KIND_COST.get(e.kind, 0.0)
    start, weak = i, False
    if anchor is None:
        if e.kind == "village":
            score -= 3.0  # a bare name that is both a commune and a bản means the commune
        weak = e.kind == "district"
    else:
        t, start = anchor
        if t not in _ALLOWED_TYPES[e.kind]:
            return None
        if t != e.type:
            score -= 5.0 if t in COMMUNE_TYPES or e.kind == "village" else 10.0
    return Hit(e, start, i, j, score, weak)


def combine(
    toks: Tokens,
    hits: list[Hit],
    communes: Mapping[str, Commune],
    villages: Mapping[str, Village],
    commune_code: str | None,
    limit: int,
) -> list[PlaceMatch]:
    """Resolve overlapping hits, pair villages with communes named alongside, rank, cut."""
    named = [h for h in hits if h.entry.kind != "province"]
    if all(h.weak for h in named):
        # Only bare district names: use them, unless the name is the province ("son la").
        prov_spans = {_span(h) for h in hits if h.entry.kind == "province"}
        pool = [h for h in hits if _span(h) not in prov_spans or h.entry.kind == "province"]
    else:
        pool = [h for h in hits if not h.weak]
    pool = _resolve(pool)
    provinces = {h.entry.province for h in pool if h.entry.kind == "province"}
    strong = [h for h in pool if h.entry.kind != "province"]
    areas = [h for h in strong if h.entry.kind != "village"]

    out: dict[tuple[str, str | None], PlaceMatch] = {}

    def put(
        code: str, village: Village | None, score: float, matched: str, via: str | None
    ) -> None:
        commune = communes.get(code)
        if commune is None:
            return
        if provinces and commune.province not in provinces:
            score -= 10.0
        score = round(max(0.0, min(100.0, score)), 1)
        slot = (code, village.id if village else None)
        if slot not in out or out[slot].score < score:
            out[slot] = PlaceMatch(commune, village, score, matched, via)

    absorbed: set[str] = set()
    for h in strong:
        village = villages.get(h.entry.village_id or "")
        if village is None or commune_code not in (None, village.commune_code):
            continue
        code = village.commune_code
        score = h.score - _CONFIDENCE_COST.get(village.confidence, 0.0)
        others = [a for a in areas if not _overlap(a, h)]
        same = [a for a in others if code in a.entry.codes]
        if same:  # the commune is named too: "bản Panh xã Chiềng Xôm"
            area = max(same, key=lambda a: a.score)
            absorbed.add(code)
            matched = f"{_text(toks, h)}, {_text(toks, area)}"
            put(code, village, score + 5.0, matched, area.entry.via)
        else:  # another commune is named: probably not this bản
            put(code, village, score - (15.0 if others else 0.0), _text(toks, h), None)
    for h in areas:
        for code in h.entry.codes:
            if code not in absorbed:
                put(code, None, h.score, _text(toks, h), h.entry.via)

    ranked = sorted(
        (m for m in out.values() if m.score >= MIN_SCORE),
        key=lambda m: (
            -m.score,
            m.village is None,
            _CONFIDENCE_RANK.get(m.village.confidence, 9) if m.village else 0,
            m.commune.code,
            m.village.id if m.village else "",
        ),
    )
    return ranked[:limit]


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Keep one reading of the text.

    The best hit per entry; no hit inside a longer one that scores nearly as well ("bản Nam"
    inside "bản Nam Niệu"); no hit partly overlapping a better one ("phong lai" in "tan phong
    lai chau"). Hits on the same tokens, or tied, all stay: that is real ambiguity.
    """
    best: dict[Entry, Hit] = {}
    for h in hits:
        if h.entry not in best or best[h.entry].score < h.score:
            best[h.entry] = h
    hits = [h for h in best.values() if not any(_inside(h, o) for o in best.values())]
    kept: list[Hit] = []
    for h in sorted(hits, key=lambda h: (-h.score, h.name_start - h.end, h.name_start)):
        if all(_span(k) == _span(h) or not _overlap(k, h) or k.score == h.score for k in kept):
            kept.append(h)
    return kept


def _inside(h: Hit, o: Hit) -> bool:
    """True when ``o`` is a longer reading covering ``h`` that should replace it."""
    if not (o.name_start <= h.name_start and h.end <= o.end and _len(o) > _len(h)):
        return False
    if o.name_start <= h.start < h.name_start:
        # o swallows h's type word ("bản Bó" vs xã "Bản Bo"): two readings. A type word in
        # front of o decides ("xã Bản Giang"); otherwise the better score.
        return o.start < o.name_start or o.score > h.score
    return o.score >= h.score - 15.0


def _len(h: Hit) -> int:
    return h.end - h.name_start


def _span(h: Hit) -> tuple[int, int]:
    return h.name_start, h.end


def _overlap(a: Hit, b: Hit) -> bool:
    return a.name_start < b.end and b.name_start < a.end


def _text(toks: Tokens, h: Hit) -> str:
    return toks.text[toks.spans[h.start][0] : toks.spans[h.end - 1][1]]
