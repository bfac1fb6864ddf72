"""Finding place names in what villagers type.

1. Tokenise (NFC, lower case, folded) and find type words ("bản", "b.", "tk", "xa", "p.").
2. Exact: every run of up to ``max_tokens`` tokens is looked up in the folded alias dict. A
   one-token name counts only after a type word, as the whole message, or as a village of the
   ``commune_code`` the caller gave: "ca", "bo", "nam" are everyday words.
3. Fuzzy (rapidfuzz ``ratio``): after each type word not followed by a multi-token exact name;
   over a short message that matched nothing; and over unexplained windows of a sentence whose
   tokens line up with a known name's (one right token at the right place, ratio >= 88).
   Typos like "nam nieuu", "chieng xomm".
4. Score and combine: a village whose commune is also named is preferred; former names and
   districts rank below current names; marks the user typed that disagree with a name
   ("chiềng ân" vs "Chiềng An") cost points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.domain.places import Commune, PlaceMatch, Village
from bot.places.index import Entry, Index
from bot.places.names import (
    COMMUNE_TYPES,
    DISTRICT_TYPES,
    FORMER_COMMUNE_TYPES,
    PROVINCE_TYPES,
    VILLAGE_TYPES,
    Tokens,
    tokenize,
    type_phrases,
)

MAX_CHARS = 1000  # only the start of a long message is read
FUZZY_TOKENS = 40  # bare fuzzy search looks at this many tokens at most
MIN_SCORE = 50.0
_KIND_COST = {"commune": 0.0, "village": 0.0, "predecessor": 5.0, "district": 10.0}
_CONFIDENCE_COST = {"H": 5.0}  # historical village names rank below current ones
_CONFIDENCE_RANK = {"C": 0, "P": 1, "SEED": 2, "H": 3}


@dataclass(slots=True)
class _Hit:
    entry: Entry
    start: int  # first token, including the type word
    name_start: int
    end: int
    score: float
    weak: bool = False  # a bare former district name: used only when nothing else matched


def match(
    index: Index,
    communes: Mapping[str, Commune],
    villages: Mapping[str, Village],
    text: str,
    commune_code: str | None,
    limit: int,
) -> list[PlaceMatch]:
    """See :meth:`bot.places.gazetteer.Gazetteer.match`."""
    if not isinstance(text, str) or limit <= 0:
        return []
    toks = tokenize(text, MAX_CHARS)
    if not toks.folded:
        return []
    types = type_phrases(toks)
    hits = _exact(index, toks, types, commune_code)
    hits += _fuzzy(index, toks, types, hits)
    return _combine(toks, hits, communes, villages, commune_code, limit)


def _exact(
    index: Index, toks: Tokens, types: dict[int, tuple[str, int]], commune_code: str | None
) -> list[_Hit]:
    n = len(toks.folded)
    hits: list[_Hit] = []
    for i in range(n):
        for j in range(i + 1, min(n, i + index.max_tokens) + 1):
            entries = index.exact.get(" ".join(toks.folded[i:j]))
            if not entries:
                continue
            anchor = types.get(i)
            whole = i == 0 and j == n
            for e in entries:
                short_ok = whole or anchor is not None or j - i > 1
                if not short_ok and not (e.kind == "village" and e.codes[0] == commune_code):
                    continue
                hit = _score(e, anchor, i, j, 100.0 - _marks_cost(toks, i, j, e))
                if hit is not None:
                    if not short_ok:
                        hit.score -= 15.0
                    hits.append(hit)
    return hits


def _marks_cost(toks: Tokens, i: int, j: int, e: Entry) -> float:
    """10 points per letter whose marks differ, if the user typed any marks at all."""
    typed = " ".join(toks.raw[i:j])
    if typed == " ".join(toks.folded[i:j]) or len(typed) != len(e.surface):
        return 0.0
    return min(30.0, 10.0 * sum(a != b for a, b in zip(typed, e.surface, strict=True)))


def _score(e: Entry, anchor: tuple[str, int] | None, i: int, j: int, base: float) -> _Hit | None:
    """Apply kind and type-word costs; None when the type word rules the entry out."""
    score = base - _KIND_COST.get(e.kind, 0.0)
    start, weak = i, False
    if anchor is None:
        if e.kind == "village":
            score -= 3.0  # a bare name that is both a commune and a bản means the commune
        weak = e.kind == "district"
    else:
        t, start = anchor
        allowed = {
            "village": VILLAGE_TYPES,
            "commune": FORMER_COMMUNE_TYPES,
            "predecessor": FORMER_COMMUNE_TYPES,
            "district": DISTRICT_TYPES,
            "province": PROVINCE_TYPES,
        }[e.kind]
        if t not in allowed:
            return None
        if t != e.type:
            score -= 5.0 if t in COMMUNE_TYPES or e.kind == "village" else 10.0
    return _Hit(e, start, i, j, score, weak)


def _fuzzy(
    index: Index, toks: Tokens, types: dict[int, tuple[str, int]], exact: list[_Hit]
) -> list[_Hit]:
    n = len(toks.folded)
    long_exact = {h.name_start for h in exact if h.end - h.name_start > 1}
    hits: list[_Hit] = []
    for pos, (t, t_start) in types.items():
        if pos >= n or pos in long_exact:
            continue
        choices = _choices(index, t)
        for j in range(pos + 1, min(n, pos + index.max_tokens) + 1):
            hits += _fuzzy_span(index, toks, pos, j, choices, 80.0, (t, t_start))
    found = [h for h in exact + hits if not h.weak]
    if not found and n <= index.max_tokens:  # a short message that is just a misspelt name
        return _fuzzy_span(index, toks, 0, n, index.all_keys, 80.0, None)
    # Elsewhere, windows not yet explained whose tokens line up with a known name's tokens.
    covered = {k for h in found for k in range(h.start, h.end)}
    starts = {s for _, s in types.values()}
    m = min(n, FUZZY_TOKENS)
    for i in range(m):
        if i in starts:
            continue
        for j in range(i + 2, min(m, i + index.max_tokens) + 1):
            if not covered.isdisjoint(range(i, j)):
                break
            choices = _candidates(index, toks.folded[i:j])
            if choices:
                hits += _fuzzy_span(index, toks, i, j, choices, 88.0, None)
    return hits


def _candidates(index: Index, window: tuple[str, ...]) -> tuple[str, ...]:
    """Keys with as many tokens as ``window`` sharing at least one token at the same place."""
    found: set[str] = set()
    for pos, tok in enumerate(window):
        found.update(index.by_position.get((len(window), pos, tok), ()))
    return tuple(sorted(found))


def _choices(index: Index, type_: str) -> tuple[str, ...]:
    if type_ in VILLAGE_TYPES:
        return index.village_keys
    if type_ in DISTRICT_TYPES:
        return index.district_keys
    if type_ in PROVINCE_TYPES:
        return index.province_keys
    return index.area_keys


def _fuzzy_span(
    index: Index,
    toks: Tokens,
    i: int,
    j: int,
    choices: tuple[str, ...],
    cutoff: float,
    anchor: tuple[str, int] | None,
) -> list[_Hit]:
    query = " ".join(toks.folded[i:j])
    found = process.extract(
        query, choices, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=5
    )
    hits = []
    top = max((ratio for _, ratio, _ in found), default=0.0)
    for k, ratio, _ in found:
        if ratio < top - 5.0:  # keep near-ties only: one typo should not list ten communes
            break
        for e in index.exact[k]:
            hit = _score(e, anchor, i, j, min(ratio, 99.0) - 5.0)
            if hit is not None:
                hits.append(hit)
    return hits


def _combine(
    toks: Tokens,
    hits: list[_Hit],
    communes: Mapping[str, Commune],
    villages: Mapping[str, Village],
    commune_code: str | None,
    limit: int,
) -> list[PlaceMatch]:
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


def _resolve(hits: list[_Hit]) -> list[_Hit]:
    """Keep one reading of the text.

    The best hit per entry; no hit inside a longer one that scores nearly as well ("bản Nam"
    inside "bản Nam Niệu"); no hit partly overlapping a better one ("phong lai" in "tan phong
    lai chau"). Hits on the same tokens, or tied, all stay: that is real ambiguity.
    """
    best: dict[Entry, _Hit] = {}
    for h in hits:
        if h.entry not in best or best[h.entry].score < h.score:
            best[h.entry] = h
    hits = [h for h in best.values() if not any(_inside(h, o) for o in best.values())]
    kept: list[_Hit] = []
    for h in sorted(hits, key=lambda h: (-h.score, h.name_start - h.end, h.name_start)):
        if all(_span(k) == _span(h) or not _overlap(k, h) or k.score == h.score for k in kept):
            kept.append(h)
    return kept


def _inside(h: _Hit, o: _Hit) -> bool:
    """True when ``o`` is a longer reading covering ``h`` that should replace it."""
    if not (o.name_start <= h.name_start and h.end <= o.end and _len(o) > _len(h)):
        return False
    if o.name_start <= h.start < h.name_start:
        # o swallows h's type word ("bản Bó" vs xã "Bản Bo"): two readings. A type word in
        # front of o decides ("xã Bản Giang"); otherwise the better score.
        return o.start < o.name_start or o.score > h.score
    return o.score >= h.score - 15.0


def _len(h: _Hit) -> int:
    return h.end - h.name_start


def _span(h: _Hit) -> tuple[int, int]:
    return h.name_start, h.end


def _overlap(a: _Hit, b: _Hit) -> bool:
    return a.name_start < b.end and b.name_start < a.end


def _text(toks: Tokens, h: _Hit) -> str:
    return toks.text[toks.spans[h.start][0] : toks.spans[h.end - 1][1]]
