"""Server-rendered SVG: the report map and a few bar charts. No JavaScript, no tile server
needed: a plain frame with a graticule by default, XYZ tiles underneath only when
``map_tile_url`` is set (Web Mercator, so points and tiles line up)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Every SVG here is built from numbers and from text passed through escape(): Markup(...) below
# marks that finished string safe for the templates (ruff S704 is about unescaped input).

STATUS_COLORS = {
    "new": "#c62828",
    "acknowledged": "#ef6c00",
    "in_progress": "#1565c0",
    "resolved": "#2e7d32",
    "rejected": "#757575",
}
SERIES_COLORS = ("#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f")
TILE = 256
MAX_ZOOM = 16


@dataclass(frozen=True, slots=True)
class MapPoint:
    lat: float
    lon: float
    status: str
    label: str  # shown on hover / to screen readers
    href: str
    big: bool = False  # flagged reports and village markers with several reports
    count: int = 1


def _merc(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    scale = TILE * 2**zoom
    lat = max(min(lat, 85.0), -85.0)
    x = (lon + 180.0) / 360.0 * scale
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


def report_map(
    points: Sequence[MapPoint], *, width: int = 640, height: int = 420, tile_url: str | None = None
) -> Markup:
    """An ``<svg>`` with one circle per point, coloured by status, each a link."""
    if not points:
        return Markup(  # noqa: S704 - numbers and fixed text only
            f'<svg viewBox="0 0 {width} {height}" class="map" role="img" '
            f'aria-label="Bản đồ trống"><rect width="{width}" height="{height}" class="map-bg"/>'
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">'
            "Chưa có phản ánh nào có vị trí</text></svg>"
        )
    lats = [p.lat for p in points]
    lons = [p.lon for p in points]
    pad = 0.005
    south, north = min(lats) - pad, max(lats) + pad
    west, east = min(lons) - pad, max(lons) + pad
    zoom = 1
    for z in range(MAX_ZOOM, 0, -1):
        x0, y0 = _merc(north, west, z)
        x1, y1 = _merc(south, east, z)
        if x1 - x0 <= width * 0.9 and y1 - y0 <= height * 0.9:
            zoom = z
            break
    x0, y0 = _merc(north, west, zoom)
    x1, y1 = _merc(south, east, zoom)
    ox = x0 - (width - (x1 - x0)) / 2
    oy = y0 - (height - (y1 - y0)) / 2
    parts = [
        f'<svg viewBox="0 0 {width} {height}" class="map" role="img" '
        f'aria-label="Bản đồ phản ánh" xmlns="http://www.w3.org/2000/svg">',
        f'<rect width="{width}" height="{height}" class="map-bg"/>',
    ]
    if tile_url:
        parts += _tiles(tile_url, zoom, ox, oy, width, height)
    else:
        parts += _graticule(zoom, ox, oy, width, height)
    for p in sorted(points, key=lambda p: p.big):
        x, y = _merc(p.lat, p.lon, zoom)
        x, y = x - ox, y - oy
        r = 9 if p.big else 6
        color = STATUS_COLORS.get(p.status, "#000")
        label = escape(p.label)
        parts.append(
            f'<a href="{escape(p.href)}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" '
            f'fill="{color}" class="pt{" big" if p.big else ""}"><title>{label}</title></circle>'
        )
        if p.count > 1:  # the number sits on the dot
            parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" dominant-baseline="central" '
                'class="pt-n">'
                f"{p.count}</text>"
            )
        parts.append("</a>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part went through escape()


def _tiles(url: str, zoom: int, ox: float, oy: float, width: int, height: int) -> list[str]:
    out = []
    n = 2**zoom
    for tx in range(int(ox // TILE), int((ox + width) // TILE) + 1):
        for ty in range(int(oy // TILE), int((oy + height) // TILE) + 1):
            if 0 <= ty < n:
                href = url.format(z=zoom, x=tx % n, y=ty)
                out.append(
                    f'<image href="{escape(href)}" x="{tx * TILE - ox:.1f}" '
                    f'y="{ty * TILE - oy:.1f}" width="{TILE}" height="{TILE}"/>'
                )
    return out


def _graticule(zoom: int, ox: float, oy: float, width: int, height: int) -> list[str]:
    """Light lines every 0.01° / 0.1° / 1° (whichever gives a few), labelled."""
    scale = TILE * 2**zoom
    west = (ox / scale) * 360.0 - 180.0
    east = ((ox + width) / scale) * 360.0 - 180.0
    step = next((s for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
                 if (east - west) / s <= 8), 10.0)  # fmt: skip
    out = []
    lon = math.ceil(west / step) * step
    while lon < east:
        x = _merc(0, lon, zoom)[0] - ox
        out.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" class="grid"/>')
        out.append(f'<text x="{x + 2:.1f}" y="{height - 4}" class="grid-t">{lon:.2f}°E</text>')
        lon += step
    top = _lat_at(oy, scale)
    bottom = _lat_at(oy + height, scale)
    lat = math.ceil(bottom / step) * step
    while lat < top:
        y = _merc(lat, 0, zoom)[1] - oy
        out.append(f'<line x1="0" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="2" y="{y - 2:.1f}" class="grid-t">{lat:.2f}°N</text>')
        lat += step
    return out


def _lat_at(y: float, scale: float) -> float:
    n = math.pi - 2 * math.pi * y / scale
    return math.degrees(math.atan(math.sinh(n)))


def stacked_bars(
    categories: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    title: str,
    width: int = 640,
    height: int = 240,
) -> Markup:
    """Vertical bars per category, stacked by series, with a legend and values on hover."""
    totals = [sum(vals[i] for vals in series.values()) for i in range(len(categories))]
    top = max([1, *totals])
    left, bottom, legend = 28, 36, 22
    plot_h = height - bottom - legend
    band = (width - left) / max(len(categories), 1)
    parts = [_open(width, height, title), _axis(left, plot_h + legend, width, top)]
    for i, cat in enumerate(categories):
        x = left + i * band + band * 0.15
        y = float(plot_h + legend)
        for (name, vals), color in zip(series.items(), SERIES_COLORS, strict=False):
            h = vals[i] / top * plot_h
            if vals[i]:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{band * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{color}"><title>{escape(cat)} · {escape(name)}: {vals[i]}</title>'
                    "</rect>"
                )
        if totals[i]:
            parts.append(
                f'<text x="{x + band * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'class="v">{totals[i]}</text>'
            )
        parts.append(
            f'<text x="{x + band * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'class="c">{escape(cat)}</text>'
        )
    lx = left
    for name, color in zip(series, SERIES_COLORS, strict=False):
        parts.append(f'<rect x="{lx}" y="4" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{lx + 14}" y="13" class="c">{escape(name)}</text>')
        lx += 14 + 7 * len(name) + 16
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part went through escape()


def horizontal_bars(
    items: Sequence[tuple[str, float]], *, title: str, unit: str = "", width: int = 640
) -> Markup:
    """One labelled horizontal bar per item (e.g. reports per village)."""
    row, label_w = 24, 190
    height = max(row * len(items), row) + 8
    top = max([1.0, *(v for _, v in items)])
    parts = [_open(width, height, title)]
    if not items:
        parts.append('<text x="4" y="16" class="c">Chưa có số liệu</text>')
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = value / top * (width - label_w - 60)
        shown = f"{value:g}{unit}"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="c">'
                     f"{escape(label)}</text>")  # fmt: skip
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{SERIES_COLORS[0]}"><title>{escape(label)}: {shown}</title></rect>'
        )
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" class="v">{shown}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part went through escape()


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" class="chart" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    )


def _axis(left: int, base: float, width: int, top: int) -> str:
    return (
        f'<line x1="{left}" y1="{base:.1f}" x2="{width}" y2="{base:.1f}" class="axis"/>'
        f'<text x="{left - 4}" y="26" text-anchor="end" class="c">{top}</text>'
        f'<text x="{left - 4}" y="{base:.1f}" text-anchor="end" class="c">0</text>'
    )
