"""Turn the engine's channel-neutral replies into what each channel can show.

- ``telegram``: inline buttons kept; callback payloads must be 1..64 bytes of UTF-8 (Telegram's
  ``callback_data`` limit) or :class:`ValueError` is raised, because a silently cut payload
  would press the wrong button. Text split at 4096 UTF-16 units.
- ``zalo``: buttons kept, at most 5 per message (OA template limit): extra buttons go to
  follow-up messages that say ``more_options_text``. Text split at 2000 units.
- ``sms``: no buttons and no special requests. Options become numbered lines plus
  ``numbered_hint``; every message stays within ``sms_max_segments`` billed segments, and
  short consecutive replies are joined when that saves segments. Each message carries its
  ``segments`` and ``encoding`` for logs and metrics.

Replies arrive already in the resident's language; nothing here chooses words except the two
caller-supplied strings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.domain.messages import Button, Reply
from bot.render.numbered import MORE_OPTIONS, NUMBERED_HINT, numbered_lines
from bot.render.sms import gsm_punctuation, is_gsm7, segment_info, unaccent
from bot.render.split import split_text
from bot.textnorm import nfc


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """One message ready for a channel's send call; ``segments``/``encoding`` only on SMS."""

    text: str
    buttons: tuple[Button, ...] = ()
    request: str | None = None
    segments: int | None = None
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class ChatLimits:
    """What a button-capable chat channel accepts. Lengths are UTF-16 code units."""

    text_limit: int
    max_buttons: int | None
    payload_max_bytes: int
    title_max: int


CHAT_LIMITS = {
    # Telegram: message text 4096, callback_data 1-64 bytes. Titles have no hard limit, but
    # long ones are cut on narrow phones, so we trim them ourselves, visibly, with "…".
    "telegram": ChatLimits(text_limit=4096, max_buttons=None, payload_max_bytes=64, title_max=40),
    # Zalo OA: text 2000, template buttons at most 5, query payload 1000, title 100.
    "zalo": ChatLimits(text_limit=2000, max_buttons=5, payload_max_bytes=1000, title_max=40),
}


def utf16_units(text: str) -> int:
    """Length as Telegram and Zalo count it: UTF-16 code units (an emoji may count 2)."""
    return len(text.encode("utf-16-le")) // 2


def trim_title(title: str, limit: int) -> str:
    """Collapse whitespace and cut to ``limit`` characters, ending with "…" when cut."""
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def render(
    replies: Sequence[Reply],
    channel: str,
    *,
    sms_max_segments: int = 3,
    sms_unaccented: bool = False,
    numbered_hint: str = NUMBERED_HINT["vi"],
    more_options_text: str = MORE_OPTIONS["vi"],
    sms_merge: bool = True,
) -> list[RenderedMessage]:
    """Render ``replies`` for ``channel`` ("telegram", "zalo" or "sms"), in order.

    Raises ``ValueError`` for an unknown channel, a budget below one segment, or (Telegram,
    Zalo) a button payload that is empty or longer than the channel accepts.
    """
    if channel == "sms":
        return _render_sms(
            replies, sms_max_segments, sms_unaccented, numbered_hint, merge=sms_merge
        )
    limits = CHAT_LIMITS.get(channel)
    if limits is None:
        raise ValueError(f"unknown channel {channel!r}; expected telegram, zalo or sms")
    messages: list[RenderedMessage] = []
    for reply in replies:
        messages.extend(_render_chat(reply, channel, limits, more_options_text))
    return messages


def _render_chat(
    reply: Reply, channel: str, limits: ChatLimits, more_options_text: str
) -> list[RenderedMessage]:
    buttons = tuple(_checked_button(b, channel, limits) for b in reply.buttons)
    parts = split_text(nfc(reply.text), lambda s: utf16_units(s) <= limits.text_limit)
    if not parts and not buttons and reply.request is None:
        return []
    parts = parts or [""]
    size = limits.max_buttons or max(len(buttons), 1)
    groups = [buttons[i : i + size] for i in range(0, len(buttons), size)] or [()]
    messages = [RenderedMessage(text) for text in parts[:-1]]
    messages.append(RenderedMessage(parts[-1], groups[0]))
    messages.extend(RenderedMessage(more_options_text, group) for group in groups[1:])
    last = messages[-1]
    messages[-1] = RenderedMessage(last.text, last.buttons, reply.request)
    return messages


def _checked_button(button: Button, channel: str, limits: ChatLimits) -> Button:
    size = len(button.payload.encode("utf-8"))
    if not 1 <= size <= limits.payload_max_bytes:
        raise ValueError(
            f"{channel} button payload must be 1..{limits.payload_max_bytes} bytes of UTF-8, "
            f"got {size}: {button.payload!r}"
        )
    return Button(trim_title(nfc(button.title), limits.title_max), button.payload)


def _render_sms(
    replies: Sequence[Reply], budget: int, unaccented: bool, hint: str, *, merge: bool
) -> list[RenderedMessage]:
    if budget < 1:
        raise ValueError(f"sms_max_segments must be at least 1, got {budget}")
    prepare: Callable[[str], str] = unaccent if unaccented else gsm_punctuation

    def fits(text: str) -> bool:
        return segment_info(text).segments <= budget

    texts: list[str] = []
    for reply in replies:
        body = prepare(nfc(reply.text)).strip()
        tail = ""
        if reply.buttons:
            lines = prepare(nfc(numbered_lines(reply.buttons)))
            note = prepare(nfc(hint))
            if is_gsm7(body) and is_gsm7(lines) and not is_gsm7(note):
                # The engine wrote this reply without diacritics (bot/render/plain.py): an
                # accented hint must not turn the whole SMS into UCS-2.
                note = unaccent(note)
            tail = f"{lines}\n{note}".strip()
        texts.extend(_sms_parts(body, tail, fits))
    if merge:
        texts = _merge(texts, fits)
    messages = []
    for text in texts:
        info = segment_info(text)
        messages.append(RenderedMessage(text, segments=info.segments, encoding=info.encoding))
    return messages


def _sms_parts(body: str, tail: str, fits: Callable[[str], bool]) -> list[str]:
    """Body then numbered options; the options stay together with the body's end if they fit."""
    whole = "\n".join(t for t in (body, tail) if t)
    if fits(whole):
        return [whole] if whole else []
    parts = split_text(body, fits)
    if tail:
        if parts and fits(f"{parts[-1]}\n{tail}"):
            parts[-1] = f"{parts[-1]}\n{tail}"
        else:
            parts.extend(split_text(tail, fits))
    return parts


def _merge(texts: list[str], fits: Callable[[str], bool]) -> list[str]:
    """Join neighbours with a blank line where that costs fewer segments in all.

    The best grouping of consecutive texts is found exactly (a handful of texts per turn):
    fewest billed segments, and on a tie the texts stay apart. Pairwise greed misses a join of
    three one-segment texts into two segments.
    """
    n = len(texts)
    # best[i]: (segments, -messages) of the best grouping of texts[:i], and where it starts
    best: list[tuple[tuple[int, int], int]] = [((0, 0), 0)] + [((10**9, 0), 0)] * n
    for i in range(1, n + 1):
        for j in range(i):
            joined = "\n\n".join(texts[j:i])
            if i - j > 1 and not fits(joined):
                continue
            (segs, msgs), _ = best[j]
            cost = (segs + segment_info(joined).segments, msgs - 1)
            if cost < best[i][0]:
                best[i] = (cost, j)
    groups, i = [], n
    while i > 0:
        j = best[i][1]
        groups.append("\n\n".join(texts[j:i]))
        i = j
    return groups[::-1]
