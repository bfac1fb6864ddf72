"""Vietnamese amounts of money and counts as villagers write them.

``parse_money`` understands "1tr5", "1,5 triệu", "1.500.000đ", "800k", "2 củ",
"một triệu rưỡi", "1 triệu 200 nghìn", "3 lít" (slang: 100,000 each), with or without
diacritics. A bare small number ("1500", "1.5") is not money by itself: ``guess_money`` offers
a reading the dialog should confirm with the resident. ``find_amounts`` returns spans for the
NLU's ``amount`` entity; ``parse_count`` reads "5", "năm", "mười hai người".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot.textnorm import fold_keep_offsets

# Folded spellings. "mot"/"mốt" both fold to "mot"; "tu" (tư) = 4, "lam"/"nham" = 5 after tens.
_DIGITS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
    "nham": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}  # fmt: skip
_MULTIPLIERS = {
    "k": 1_000, "nghin": 1_000, "ngan": 1_000, "ng": 1_000,
    "tr": 1_000_000, "trieu": 1_000_000, "cu": 1_000_000, "m": 1_000_000,
    "ty": 1_000_000_000, "ti": 1_000_000_000,
    "lit": 100_000, "xi": 100_000,
}  # fmt: skip
_FIVE_AFTER = {"lam", "nham"}  # folded "lăm"/"nhăm" (5), but also "làm" (do)
_CURRENCY = {"d", "dong", "vnd", "vnđ", "đ"}
UNIT_WORDS = frozenset(_MULTIPLIERS) | frozenset(_CURRENCY)  # folded
_FILLER = {"le", "linh"}
# A numeral right before one of these counts the noun, not money: "2 triệu một tháng".
_COUNTED_NOUNS = {"thang", "nam", "ngay", "tuan", "nguoi", "khau", "lan", "dua", "chau", "con"}
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-zđ]+")
_MAX_VND = 10**12


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount found in text: ``text[start:end]`` reads as ``value`` đồng."""

    start: int
    end: int
    value: int


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # num | digit | ten | tens | hundred | mult | half | cur | filler
    value: Decimal
    start: int
    end: int
    ndigits: int = 0  # digits of a trailing numeral ("1tr5" -> 5 has 1 digit)


def _number(raw: str) -> tuple[Decimal, int] | None:
    """``"1.500.000"`` -> 1500000, ``"1,5"`` -> 1.5; returns (value, integer digits)."""
    parts = re.split(r"[.,]", raw)
    try:
        if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
            digits = "".join(parts)
            return Decimal(digits), len(digits)
        if len(parts) == 2:
            return Decimal(f"{parts[0]}.{parts[1]}"), len(parts[0])
        if len(parts) == 1:
            return Decimal(raw), len(raw)
    except InvalidOperation:
        return None
    return None


def _tokens(text: str) -> list[_Tok]:
    folded = fold_keep_offsets(text)
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(folded):
        word, start, end = m.group(), m.start(), m.end()
        if word[0].isdigit():
            parsed = _number(word)
            if parsed is not None:
                toks.append(_Tok("num", parsed[0], start, end, parsed[1]))
                continue
        tok = _word_token(word, start, end)
        if tok and word in _FIVE_AFTER and not _is_five(text, toks, start, end):
            tok = None
        toks.append(tok if tok else _Tok("other", Decimal(0), start, end))
    return toks


def _is_five(text: str, before: list[_Tok], start: int, end: int) -> bool:
    """Whether "lam"/"nham" is the numeral "lăm"/"nhăm" (5) and not the verb "làm" (do).

    Typed "lăm" it is; "làm" it is not; typed plain it is after "mươi" ("hai mươi lam"), or
    after a unit when no word follows ("2 trieu lam"), but not in "vay 50tr lam chuong".
    """
    raw = text[start:end].lower()
    if raw in ("lăm", "nhăm"):
        return True
    if raw not in ("lam", "nham"):
        return False
    if before and before[-1].kind == "ten":
        return True
    rest = text[end:].lstrip()
    return not (rest and rest[0].isalpha())


def _word_token(word: str, start: int, end: int) -> _Tok | None:
    if word in _DIGITS:
        return _Tok("digit", Decimal(_DIGITS[word]), start, end, 1)
    if word == "muoi":
        # "mười" (ten) and "mươi" (tens) fold alike; the parser tells them apart by position.
        return _Tok("ten", Decimal(10), start, end)
    if word == "tram":
        return _Tok("hundred", Decimal(100), start, end)
    if word in _MULTIPLIERS:
        return _Tok("mult", Decimal(_MULTIPLIERS[word]), start, end)
    if word in ("ruoi", "rui"):
        return _Tok("half", Decimal(0), start, end)
    if word in _CURRENCY:
        return _Tok("cur", Decimal(0), start, end)
    if word in _FILLER:
        return _Tok("filler", Decimal(0), start, end)
    return None


def _runs(toks: list[_Tok], text: str) -> list[list[_Tok]]:
    """Maximal runs of number-ish tokens separated only by spaces."""
    runs: list[list[_Tok]] = []
    cur: list[_Tok] = []
    folded = fold_keep_offsets(text)
    for tok in toks:
        adjacent = cur and text[cur[-1].end : tok.start].strip() == ""
        word = folded[tok.start : tok.end]
        if (
            cur
            and adjacent
            and word in _COUNTED_NOUNS
            and len(cur) > 1
            and cur[-1].kind in ("num", "digit")
            and any(t.kind == "mult" for t in cur[:-1])
        ):
            cur.pop()
        if tok.kind == "other" or (cur and not adjacent):
            if cur:
                runs.append(cur)
            cur = []
        if tok.kind != "other":
            cur.append(tok)
        if tok.kind == "cur":
            # The currency word ends an amount: "1.200.000 đồng một tháng" is 1,200,000.
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _evaluate(run: list[_Tok]) -> tuple[Decimal, bool] | None:
    """Value of a run and whether it had a unit (multiplier or currency)."""
    total = Decimal(0)
    group = Decimal(0)  # hundreds within the current thousand-group
    cur = Decimal(0)  # below one hundred
    last_mult = Decimal(0)
    last_digits = 0
    seen_number = has_unit = False
    for i, tok in enumerate(run):
        if tok.kind in ("num", "digit"):
            cur += tok.value
            last_digits = tok.ndigits
            seen_number = True
        elif tok.kind == "ten":
            prev = run[i - 1].kind if i else None
            cur = cur * 10 if prev == "digit" and cur < 10 else cur + 10
            last_digits = 2
            seen_number = True
        elif tok.kind == "hundred":
            group += (cur or Decimal(1)) * 100
            cur = Decimal(0)
        elif tok.kind == "mult":
            if not seen_number:
                return None
            total += (group + cur) * tok.value
            group = cur = Decimal(0)
            last_mult, has_unit, last_digits = tok.value, True, 0
        elif tok.kind == "half":
            total += (last_mult or Decimal(100)) / 2
        elif tok.kind == "cur":
            has_unit = True
    if cur and last_mult >= 1000 and not group and last_digits:
        # "1tr5", "một triệu hai": a trailing numeral is a fraction of the last unit.
        total += cur * last_mult / Decimal(10) ** last_digits
    else:
        total += group + cur
    return (total, has_unit) if seen_number else None


def _glued(text: str, start: int, end: int) -> bool:
    """True when the span touches a letter or digit outside it (no word boundary)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return before.isalnum() or after.isalnum()


def find_amounts(text: str) -> list[Amount]:
    """Every amount of money in ``text`` with its span. Bare numbers count from 10,000 up."""
    # Number words alone stay below 10,000 without a unit ("nghìn", "triệu", "đồng"), and most
    # messages have neither: skip the parse (a quarter of the NLU's time otherwise).
    if not any(c.isdigit() for c in text) and UNIT_WORDS.isdisjoint(
        _TOKEN.findall(fold_keep_offsets(text))
    ):
        return []
    found = []
    for run in _runs(_tokens(text), text):
        while run and run[0].kind in ("mult", "half", "cur", "filler"):
            run = run[1:]
        if not run:
            continue
        if _glued(text, run[0].start, run[-1].end):
            continue  # part of a code or word such as "TT-9X4K2P"
        result = _evaluate(run)
        if result is None:
            continue
        value, has_unit = result
        if value == 0 and not any(t.kind == "num" for t in run):
            continue  # "không đồng ý" is a refusal, not 0 đồng
        if (has_unit or value >= 10_000) and 0 <= value <= _MAX_VND:
            found.append(Amount(run[0].start, run[-1].end, int(value)))
    return found


def parse_money(text: str) -> int | None:
    """The single amount of money in ``text`` in đồng, or None if there is none or several."""
    amounts = find_amounts(text)
    if len(amounts) == 1:
        return amounts[0].value
    if not amounts and re.fullmatch(r"\s*0+\s*(?:d|đ|dong|đồng|vnd)?\s*", text.lower()):
        return 0
    return None


def guess_money(text: str) -> int | None:
    """A reading of a bare number for the dialog to confirm: "1.5" -> 1.5 triệu, "800" -> 800k."""
    m = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*", text)
    if not m:
        return None
    parsed = _number(m.group(1))
    if parsed is None:
        return None
    value = parsed[0]
    if 0 < value < 100:
        return int(value * 1_000_000)
    if 100 <= value < 10_000:
        return int(value * 1_000)
    return None


def parse_count(text: str) -> int | None:
    """A small whole number (people, children...): "5", "năm", "mười hai người"."""
    for run in _runs(_tokens(text), text):
        if any(t.kind in ("mult", "half") for t in run):
            continue
        result = _evaluate(run)
        if result is not None and result[0] == int(result[0]):
            return int(result[0])
    return None
