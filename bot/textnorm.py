"""Vietnamese text folding shared by the place matcher, the NLU and the dialog engine."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")
MAX_TEXT = 2000  # nothing anyone writes to the bot needs more; longer input is cut, never refused
# đ/Đ are letters in their own right, not a base letter plus a combining mark.
_D = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """Unicode NFC, the form all our data is stored in."""
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks: ``"Chiềng Đen"`` -> ``"Chieng Den"``.

    Keeps the string length in code points for NFC input whose letters each decompose to one
    base letter, which is true for every Vietnamese letter.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces, trimmed: the key used for matching."""
    return _SPACES.sub(" ", strip_diacritics(nfc(text)).lower()).strip()


def fold_keep_offsets(text: str) -> str:
    """Like :func:`fold` but character for character: ``len(result) == len(text)``.

    Index ``i`` of the result corresponds to index ``i`` of ``text``, so spans found in the
    folded text point into the original (entities keep their offsets). Spaces are not collapsed.
    """
    out = []
    for ch in text:
        base = strip_diacritics(unicodedata.normalize("NFC", ch)).lower()
        out.append(base if len(base) == 1 else ch.lower()[:1] or ch)
    return "".join(out)


def clean_text(text: str) -> str:
    """What the bot reads of a message: NFC; control characters as spaces except newlines
    (a village notice has lines); format, surrogate, private-use and unassigned characters
    dropped; spaces collapsed within lines, at most one blank line; trimmed; cut to
    :data:`MAX_TEXT`. Never raises, whatever arrives."""
    text = nfc(text[: MAX_TEXT * 2])
    out = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat == "Cc":
            out.append(" ")
        elif cat not in ("Cf", "Cs", "Co", "Cn"):
            out.append(ch)
    lines = "\n".join(line.strip() for line in _LINE_SPACES.sub(" ", "".join(out)).split("\n"))
    return _BLANK_LINES.sub("\n\n", lines).strip()[:MAX_TEXT]
