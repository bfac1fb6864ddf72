"""Opt-out / opt-in keywords of SMS: a message that is only the keyword is an event.

Twilio's own lists (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out): a
*single-word* message STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE or OPTOUT opts out
("STOP PLEASE" does not); START, UNSTOP or YES opts back in. Case, spaces and surrounding
punctuation do not matter ("stop.", " Stop ").

Vietnamese SMS habit (carrier services, "Do Not Call" registration) adds "TU CHOI" (từ chối,
refuse), "HUY DK" / "HUY DANG KY" (huỷ đăng ký, unsubscribe) and "HUY NHAN TIN". A bare
"HUY" / "huỷ" is deliberately *not* a stop word: inside a flow it means "cancel this report"
(dialogs/locales/vi.yml ``common.fix.cancel``), and opting a resident out of all messages
because they cancelled one report would silence them. "DANG KY LAI" (register again) opts in.
"""

from __future__ import annotations

import re
from typing import Literal

from bot.textnorm import fold

OptEvent = Literal["stop", "start"]

TWILIO_STOP = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
)
TWILIO_START = frozenset({"start", "unstop", "yes"})
VIETNAMESE_STOP = frozenset({"stop", "tu choi", "huy dk", "huy dang ky", "huy nhan tin"})
VIETNAMESE_START = frozenset({"start", "unstop", "dang ky lai"})

_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


def keyword_key(text: str) -> str:
    """The form keywords are compared in: folded (no case, no diacritics), no edge punctuation."""
    return _EDGE_PUNCTUATION.sub("", fold(text))


def opt_event(
    text: str,
    stop: frozenset[str] = TWILIO_STOP,
    start: frozenset[str] = TWILIO_START,
) -> OptEvent | None:
    """``"stop"`` / ``"start"`` when the whole message is one of the keywords, else ``None``."""
    key = keyword_key(text)
    if key in stop:
        return "stop"
    if key in start:
        return "start"
    return None
