"""Resident-facing texts: ``dialogs/locales/<lang>.yml``, flat ``dotted.key: text`` maps.

A key may have channel variants stored as ``<key>.<channel>`` (``ask_village.sms``); they win
on that channel. Unknown languages fall back to Vietnamese. A missing key or placeholder raises
``KeyError``: texts are data the tests check, so a gap must fail loudly there, not in a chat.
``{addr}`` / ``{Addr}`` (how the bot calls the resident) default to the language's
``addr.default`` ("anh/chị"); the engine passes the form the resident used.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

DEFAULT_LANG = "vi"


class Catalog:
    """All locales of the bot, loaded once."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]]) -> None:
        self._texts = {lang: dict(keys) for lang, keys in texts.items()}
        if DEFAULT_LANG not in self._texts:
            raise ValueError("the Vietnamese catalogue (vi.yml) is required")

    @classmethod
    def load(cls, locales_dir: Path) -> Catalog:
        """Read every ``*.yml`` in ``locales_dir``; the file stem is the language code."""
        texts: dict[str, dict[str, str]] = {}
        for path in sorted(locales_dir.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ValueError(f"{path}: expected a mapping of key -> text")
            texts[path.stem] = {str(k): str(v).strip() for k, v in data.items()}
        return cls(texts)

    @property
    def languages(self) -> list[str]:
        return sorted(self._texts)

    def keys(self, lang: str) -> set[str]:
        return set(self._texts.get(lang, {}))

    def has(self, key: str) -> bool:
        return key in self._texts[DEFAULT_LANG]

    def text(self, lang: str, key: str, channel: str = "", **kw: Any) -> str:
        """The text for ``key`` in ``lang`` (channel variant first), formatted with ``kw``."""
        table = self._texts.get(lang) or self._texts[DEFAULT_LANG]
        template = table.get(f"{key}.{channel}") if channel else None
        if template is None:
            template = table.get(key)
        if template is None:
            template = self._texts[DEFAULT_LANG][key]  # KeyError when missing everywhere
        if "{" not in template:
            return template
        if "addr" not in kw and "addr.default" in table:
            you = table["addr.default"]
            kw = {"addr": you, "Addr": you[:1].upper() + you[1:], **kw}
        return template.format_map(kw)
