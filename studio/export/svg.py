"""Line plots as standalone SVG, written by hand (no Qt, no matplotlib): axes, ticks, curves, bands, legend.

Every curve is one ``<path class="curve" data-label="...">`` (NaN values break
it into pieces), every band one ``<path class="band">``, so the file is easy
to check and to restyle.  Text is escaped; the result parses as XML.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from studio.config import atomic_write_text
from studio.export.smoothing import log_safe, shared_range

# one colour per run: Okabe-Ito, readable by colour-blind readers, then a few more
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000", "#999999")
MARGIN = {"left": 64, "right": 16, "top": 32, "bottom": 44}
LEGEND_ROW = 16
MARKED_POINTS = 20  # curves with this few points also get a dot per point (a single point shows at all)


@dataclass(frozen=True)
class Curve:
    """One line: ``faint`` draws it thin and light (the raw curve under a smoothed one); ``band`` is (low, high)."""

    label: str
    x: Sequence[float]
    y: Sequence[float]
    colour: str = ""
    faint: bool = False
    band: tuple[Sequence[float], Sequence[float]] | None = None


@dataclass(frozen=True)
class Axes:
    """Where data land on the canvas: data ranges and the plot rectangle."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    log_y: bool
    box: tuple[float, float, float, float]  # left, top, width, height
    integer_x: bool = False  # x ticks only at whole numbers (inner steps)

    def px(self, x: np.ndarray) -> np.ndarray:
        (x0, x1), (left, _, width, _) = self.x_range, self.box
        return left + (x - x0) / (x1 - x0) * width

    def py(self, y: np.ndarray) -> np.ndarray:
        (y0, y1), (_, top, _, height) = self.y_range, self.box
        if self.log_y:
            y, y0, y1 = np.log10(y), math.log10(y0), math.log10(y1)
        return top + height - (y - y0) / (y1 - y0) * height


def colour_for(index: int) -> str:
    """The ``index``-th run's colour (the palette repeats after nine)."""
    return PALETTE[index % len(PALETTE)]


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) inside [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 12) for i in range(int((high - first) / step + 1e-9) + 1)]


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten inside [low, high]; 1, 2 and 5 times them, or round linear steps, when that gives too few."""
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks = [10.0**d for d in decades if low <= 10.0**d <= high]
    if len(ticks) < 3:
        ticks = sorted(m * 10.0**d for d in decades for m in (1, 2, 5) if low <= m * 10.0**d <= high)
    if len(ticks) < 3:  # less than a decade: evenly spaced round values
        ticks = [t for t in nice_ticks(low, high) if t > 0]
    return ticks


def tick_label(value: float) -> str:
    return f"{value:.4g}"


def svg_plot(
    curves: Sequence[Curve],
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    log_y: bool = False,
    y_range: tuple[float, float] | None = None,
    size: tuple[int, int] = (640, 400),
    integer_x: bool = False,
) -> str:
    """An SVG document plotting ``curves`` (colours from the palette where a curve names none)."""
    curves = [c if c.colour else _with_colour(c, i) for i, c in enumerate(curves)]
    axes = _axes(curves, log_y, y_range, size, integer_x)
    clip = f"plot-{zlib.crc32(repr((title, [c.label for c in curves])).encode()):08x}"  # unique per plot in a page
    parts = [_background(size), _clip_path(clip, axes), _grid_and_ticks(axes, x_label, y_label)]
    parts += [f'<g clip-path="url(#{clip})">']
    parts += [_band(c, axes) for c in curves if c.band is not None]
    parts += [_line(c, axes) for c in sorted(curves, key=lambda c: not c.faint)]  # faint ones underneath
    parts += ["</g>"]
    parts += [_legend([c for c in curves if not c.faint], axes), _title(title, size)]
    width, height = size
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">'
    )
    return "\n".join([head, f"<title>{escape(title)}</title>", *parts, "</svg>"]) + "\n"


def write_svg(path, curves: Sequence[Curve], **options) -> None:
    """:func:`svg_plot` written to ``path`` atomically."""
    atomic_write_text(path, svg_plot(curves, **options))


def _with_colour(curve: Curve, index: int) -> Curve:
    return Curve(curve.label, curve.x, curve.y, colour_for(index), curve.faint, curve.band)


def _axes(
    curves: Sequence[Curve], log_y: bool, y_range: tuple[float, float] | None, size: tuple[int, int], integer_x: bool
) -> Axes:
    xs = np.concatenate([np.asarray(c.x, dtype=np.float64) for c in curves]) if curves else np.empty(0)
    xs = xs[np.isfinite(xs)]
    x_range = (float(xs.min()), float(xs.max())) if len(xs) else (0.0, 1.0)
    if x_range[1] <= x_range[0]:
        x_range = (x_range[0] - 0.5, x_range[1] + 0.5)
    ys = [c.y for c in curves] + [edge for c in curves if c.band is not None for edge in c.band]
    y_range = y_range or shared_range(ys, log=log_y)
    box = (MARGIN["left"], MARGIN["top"], size[0] - MARGIN["left"] - MARGIN["right"])
    return Axes(x_range, y_range, log_y, (*box, size[1] - MARGIN["top"] - MARGIN["bottom"]), integer_x)


def _background(size: tuple[int, int]) -> str:
    return f'<rect class="background" width="{size[0]}" height="{size[1]}" fill="white"/>'


def _clip_path(clip: str, axes: Axes) -> str:
    left, top, width, height = axes.box
    return (
        f'<defs><clipPath id="{clip}"><rect x="{left}" y="{top}" width="{width}" height="{height}"/></clipPath></defs>'
    )


def _grid_and_ticks(axes: Axes, x_label: str, y_label: str) -> str:
    left, top, width, height = axes.box
    bottom = top + height
    lines = ['<g class="axes" stroke="#cccccc" stroke-width="0.5">']
    for x in [t for t in nice_ticks(*axes.x_range) if not axes.integer_x or float(t).is_integer()]:
        px = float(axes.px(np.float64(x)))
        lines.append(f'<line x1="{px:.1f}" y1="{top}" x2="{px:.1f}" y2="{bottom}"/>')
        lines.append(f'<text x="{px:.1f}" y="{bottom + 14}" text-anchor="middle" stroke="none">{tick_label(x)}</text>')
    y_ticks = log_ticks(*axes.y_range) if axes.log_y else nice_ticks(*axes.y_range)
    for y in y_ticks:
        py = float(axes.py(np.float64(y)))
        lines.append(f'<line x1="{left}" y1="{py:.1f}" x2="{left + width}" y2="{py:.1f}"/>')
        lines.append(f'<text x="{left - 4}" y="{py + 4:.1f}" text-anchor="end" stroke="none">{tick_label(y)}</text>')
    lines.append(f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#666666"/>')
    lines.append(
        f'<text x="{left + width / 2}" y="{bottom + 34}" text-anchor="middle" stroke="none">{escape(x_label)}</text>'
    )
    mid = top + height / 2
    lines.append(
        f'<text x="14" y="{mid}" text-anchor="middle" transform="rotate(-90 14 {mid})" stroke="none">'
        f"{escape(y_label)}</text>"
    )
    return "\n".join(lines + ["</g>"])


def _points(axes: Axes, x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if axes.log_y:
        ys = log_safe(ys)
    return axes.px(xs), axes.py(ys)


def _line(curve: Curve, axes: Axes) -> str:
    px, py = _points(axes, curve.x, curve.y)
    d, pen, dots = [], "M", []
    for x, y in zip(px.tolist(), py.tolist()):
        if not (math.isfinite(x) and math.isfinite(y)):
            pen = "M"
            continue
        d.append(f"{pen}{x:.1f},{y:.1f}")
        dots.append(f'<circle class="marker" cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{curve.colour}"/>')
        pen = "L"
    style = 'stroke-width="0.8" stroke-opacity="0.3"' if curve.faint else 'stroke-width="1.5"'
    kind = "curve raw" if curve.faint else "curve"
    line = (
        f'<path class="{kind}" data-label={quoteattr(curve.label)} d="{" ".join(d)}" fill="none" '
        f'stroke="{curve.colour}" {style}/>'
    )
    return "\n".join([line, *dots]) if not curve.faint and len(dots) <= MARKED_POINTS else line


def _band(curve: Curve, axes: Axes) -> str:
    low, high = curve.band
    px, lower = _points(axes, curve.x, low)
    _, upper = _points(axes, curve.x, high)
    keep = np.isfinite(px) & np.isfinite(lower) & np.isfinite(upper)
    edge = [f"{x:.1f},{y:.1f}" for x, y in zip(px[keep].tolist(), upper[keep].tolist())]
    edge += [f"{x:.1f},{y:.1f}" for x, y in zip(px[keep][::-1].tolist(), lower[keep][::-1].tolist())]
    d = f"M{' L'.join(edge)} Z" if edge else ""
    return f'<path class="band" data-label={quoteattr(curve.label)} d="{d}" fill="{curve.colour}" fill-opacity="0.18"/>'


def _legend(curves: Sequence[Curve], axes: Axes) -> str:
    left, top, width, _ = axes.box
    x = left + width - 8
    rows = ['<g class="legend">']
    for i, curve in enumerate(curves):
        y = top + 12 + i * LEGEND_ROW
        rows.append(
            f'<line x1="{x - 18}" y1="{y - 4}" x2="{x - 4}" y2="{y - 4}" stroke="{curve.colour}" stroke-width="2"/>'
        )
        rows.append(f'<text x="{x - 22}" y="{y}" text-anchor="end">{escape(curve.label)}</text>')
    return "\n".join(rows + ["</g>"])


def _title(title: str, size: tuple[int, int]) -> str:
    return f'<text class="title" x="{size[0] / 2}" y="20" text-anchor="middle" font-size="13">{escape(title)}</text>'
