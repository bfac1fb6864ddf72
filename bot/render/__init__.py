"""Channel rendering of the engine's replies: buttons, numbered options, SMS segment budgets."""

from bot.render.numbered import MORE_OPTIONS, NUMBERED_HINT, choice_from_reply, numbered_lines
from bot.render.render import CHAT_LIMITS, RenderedMessage, render, utf16_units
from bot.render.sms import SegmentInfo, gsm_punctuation, is_gsm7, segment_info, unaccent
from bot.render.split import split_text

__all__ = [
    "CHAT_LIMITS",
    "MORE_OPTIONS",
    "NUMBERED_HINT",
    "RenderedMessage",
    "SegmentInfo",
    "choice_from_reply",
    "gsm_punctuation",
    "is_gsm7",
    "numbered_lines",
    "render",
    "segment_info",
    "split_text",
    "unaccent",
    "utf16_units",
]
