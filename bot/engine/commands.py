"""The matching key of typed text. The commands that work anywhere (cancel, menu, back, ...)
are data: ``dialogs/commands.yml``, read by :mod:`bot.engine.routing`.

A command is the WHOLE message, folded (no case, no diacritics, no punctuation), so "huỷ",
"Hủy!", "huy" all cancel while "huỷ đăng ký" unsubscribes and "nhà em huỷ hoại" is an answer.
"""

from __future__ import annotations

from bot.engine.routing import key, title_key

__all__ = ["key", "title_key"]
