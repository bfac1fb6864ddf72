"""Buttons as numbered text lines, for channels without buttons (SMS), and the way back.

SMS users answer "1", "1.", "so 1" or "số 1"; :func:`choice_from_reply` maps that back to the
button the number stood for, so the caller can treat it as a button press.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.messages import Button
from bot.textnorm import fold

# The hint under numbered options and the text above Zalo's overflow buttons, per language.
# Callers pass the one in the resident's language; these are the defaults and the English.
NUMBERED_HINT = {"vi": "Trả lời bằng số, ví dụ: 1", "en": "Reply with a number, e.g. 1"}
MORE_OPTIONS = {"vi": "Lựa chọn khác:", "en": "More options:"}

_NUMBER_REPLY = re.compile(r"^(?:so|chon|lua chon|option|no\.?)?\s*#?\s*(\d{1,2})\s*[.)]?$")


def numbered_lines(buttons: Sequence[Button]) -> str:
    """``"1. Có\\n2. Không"``: one line per button, numbered from 1 in order."""
    return "\n".join(f"{i}. {button.title}" for i, button in enumerate(buttons, start=1))


def choice_from_reply(text: str, buttons: Sequence[Button]) -> Button | None:
    """The button whose number the resident typed, or ``None`` if the text is not such a number.

    Accepts ``"2"``, ``" 2. "``, ``"2)"``, ``"#2"``, ``"so 2"``, ``"Số 2"``, ``"chọn 2"``.
    A number outside ``1..len(buttons)`` gives ``None`` (the engine then re-asks).
    """
    match = _NUMBER_REPLY.match(fold(text))
    if match is None:
        return None
    index = int(match.group(1))
    if 1 <= index <= len(buttons):
        return buttons[index - 1]
    return None
