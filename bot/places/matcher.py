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

from rapidfuzz import fuzz, process

from bot.domain.places import Commune, PlaceMatch, Village
from bot.places.index import Entry, Index
from bot.places.names import (
    DISTRICT_TYPES,
    PROVINCE_TYPES,
    VILLAGE_TYPES,
    Tokens,
    tokenize,
    type_phrases,
)
from bot.places.ranking import Hit, combine, score_entry

MAX_CHARS = 1000  # only the start of a long message is read
FUZZY_TOKENS = 40  # bare fuzzy search looks at this many tokens at most


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
    return combine(toks, hits, communes, villages, commune_code, limit)


def _exact(
    index: Index, toks: Tokens, types: dict[int, tuple[str, int]], commune_code: str | None
) -> list[Hit]:
    n = len(toks.folded)
    hits: list[Hit] = []
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
                hit = score_entry(e, anchor, i, j, 100.0 - _marks_cost(toks, i, j, e))
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


def _fuzzy(
    index: Index, toks: Tokens, types: dict[int, tuple[str, int]], exact: list[Hit]
) -> list[Hit]:
    n = len(toks.folded)
    long_exact = {h.name_start for h in exact if h.end - h.name_start > 1}
    hits: list[Hit] = []
    for pos, (t, t_start) in types.items():
        if pos >= n or pos in long_exact:
            continue
        choices = _choices(index, t)
        for j in range(pos + 1, min(n, pos + index.max_tokens) + 1):
            hits += _fuzzy_span(index, toks, pos, j, choices, 80.0, (t, t_start))
    found = [h for h in exact + hits if not h.weak]
    if not found and n <= index.max_tokens:  # a short message that is just a misspelt name
        return hits + _fuzzy_span(index, toks, 0, n, index.all_keys, 80.0, None)
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
) -> list[Hit]:
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
            hit = score_entry(e, anchor, i, j, min(ratio, 99.0) - 5.0)
            if hit is not None:
                hits.append(hit)
    return hits
