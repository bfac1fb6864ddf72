"""Places: province -> commune unit (xã / phường, 2025 codes) -> village (bản / thôn / tiểu khu)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AreaType = Literal["rural", "urban"]


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune-level unit after 1 July 2025 (there are no districts any more).

    ``area_type`` decides which income line applies; it is data per commune (a new phường may
    hold former rural xã), with ``area_confidence`` saying how sure we are.
    """

    code: str
    name: str
    type: Literal["xa", "phuong"]
    province: str
    province_code: str
    area_type: AreaType
    area_confidence: str
    predecessors: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        """``"phường Chiềng An"`` / ``"xã Mai Sơn"``."""
        return f"{'phường' if self.type == 'phuong' else 'xã'} {self.name}"


@dataclass(frozen=True, slots=True)
class Village:
    """A village of a commune; ``id`` is stable: ``"<commune_code>:<folded name>"``."""

    id: str
    name: str
    display_name: str
    village_type: str
    commune_code: str
    confidence: str


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """One candidate for a place the user typed, best first by ``score`` (0..100).

    ``village`` is None when the text named only a commune; ``via_predecessor`` holds the
    former unit's name when the text used a pre-2025 name ("xã Chiềng Xôm", "huyện Mai Sơn").
    """

    commune: Commune
    village: Village | None
    score: float
    matched: str
    via_predecessor: str | None = None
