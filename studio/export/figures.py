"""Figures for papers: :mod:`studio.export.figure_data` panels drawn by matplotlib as PNG, SVG or PDF.

matplotlib is imported only inside the functions that draw, so neither the
window nor ``studio run`` pays for it at start-up; drawing goes through the
``Figure`` API on the Agg canvas (no pyplot, no GUI backend: safe on any thread
and without a display).  Every figure uses :data:`~studio.export.figure_style.RC`.
A multi-panel figure lays its panels out in a grid, letters them (a), (b), ...
and leaves empty panels out.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from pathlib import Path

from studio.config import ConfigError, atomic_write_bytes
from studio.export.figure_axes import draw_panel, place_legend, settle_legend
from studio.export.figure_data import Panel, drawable
from studio.export.figure_style import DEFAULT_DPI, DPI_LIMITS, PANEL_SIZE, PAPER_SIZE, RC, SIZE_LIMITS

FORMATS = ("png", "svg", "pdf")
# a blank glyph is written as a <path> without "d": valid SVG, but Qt's renderer warns and drops its links
EMPTY_GLYPH = re.compile(rb'<path id="([^"]+)" transform=')
METADATA = {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {}}  # same figure, same bytes


def figure_format(path: str | Path) -> str:
    """``png``, ``svg`` or ``pdf`` from the suffix of ``path``."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ConfigError(f"{path}: a figure is written as .png, .svg or .pdf, got '.{suffix}'")
    return suffix


def check_size(size: tuple[float, float] | None, dpi: float) -> None:
    """A clear error for a size (inches) or resolution outside what makes sense for a figure."""
    low, high = SIZE_LIMITS
    if size is not None and not all(math.isfinite(s) and low <= s <= high for s in size):
        raise ConfigError.at("size", f"must be {low:g} to {high:g} inches a side, got {size[0]:g} x {size[1]:g}")
    if not (math.isfinite(dpi) and DPI_LIMITS[0] <= dpi <= DPI_LIMITS[1]):
        raise ConfigError.at("dpi", f"must be {DPI_LIMITS[0]} to {DPI_LIMITS[1]}, got {dpi:g}")


def parse_size(text: str | None) -> tuple[float, float] | None:
    """``"7x4.3"`` (inches, width x height) as a pair; ``None`` for the default size."""
    if text is None:
        return None
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (float(part) for part in parts)
    except ValueError:
        raise ConfigError.at("size", f"must be WIDTHxHEIGHT in inches, e.g. 7x4.3, got '{text}'") from None
    check_size((width, height), DEFAULT_DPI)
    return width, height


def grid_shape(count: int) -> tuple[int, int]:
    """Rows and columns for ``count`` panels: one row up to three, then rows of two or three."""
    if count <= 3:
        return 1, count
    columns = 2 if count == 4 else 3
    return math.ceil(count / columns), columns


def default_size(count: int) -> tuple[float, float]:
    """One column for one panel; the text width of a paper for more, 2.6 inches per row."""
    if count <= 1:
        return PANEL_SIZE
    rows, _ = grid_shape(count)
    return PAPER_SIZE[0], max(PANEL_SIZE[1], 2.4 * rows)


def figure_bytes(
    panels: Sequence[Panel], fmt: str, size: tuple[float, float] | None = None, dpi: float = DEFAULT_DPI
) -> bytes:
    """The figure as PNG, SVG or PDF bytes; ``size`` in inches (default by panel count), ``dpi`` for PNG."""
    from matplotlib import rc_context

    check_size(size, dpi)
    buffer = io.BytesIO()
    with rc_context(RC):  # font sizes are read as artists are made, font types as the file is written
        figure = build_figure(panels, size)
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=METADATA[fmt])
    data = buffer.getvalue()
    return EMPTY_GLYPH.sub(rb'<path id="\1" d="M 0 0" transform=', data) if fmt == "svg" else data


def write_figure(
    panels: Sequence[Panel], path: str | Path, size: tuple[float, float] | None = None, dpi: float = DEFAULT_DPI
) -> Path:
    """Write the figure to ``path`` (format by its suffix) atomically and return the path."""
    data = figure_bytes(panels, figure_format(path), size, dpi)
    atomic_write_bytes(path, data)
    return Path(path)


def svg_text(panels: Sequence[Panel], size: tuple[float, float] | None = None) -> str:
    """The figure as an ``<svg>`` element to put inside an HTML page (no XML prolog, doctype or RDF metadata)."""
    text = figure_bytes(panels, "svg", size).decode("utf-8")
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text[text.index("<svg") :], count=1, flags=re.S)


def build_figure(panels: Sequence[Panel], size: tuple[float, float] | None = None):
    """A matplotlib ``Figure`` of the panels that have data (call inside ``rc_context(RC)``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = drawable(panels)
    if not shown:
        raise ConfigError("nothing to draw yet: the figure's panels have no data (start or choose a run)")
    figure = Figure(figsize=size or default_size(len(shown)), layout="constrained")
    FigureCanvasAgg(figure)  # a canvas that can measure text (legends are checked before saving)
    rows, columns = grid_shape(len(shown))
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    letters = [f"({chr(ord('a') + i)}) " if len(shown) > 1 else "" for i in range(len(shown))]
    twins = [draw_panel(ax, panel, letter) for ax, panel, letter in zip(axes, shown, letters)]
    for ax in axes[len(shown) :]:
        ax.remove()
    figure.draw_without_rendering()  # lay out once, so legends can be checked against what they would cover
    legends = [place_legend(ax, twin, panel.log_y) for ax, twin, panel in zip(axes, twins, shown)]
    for ax, twin, legend in zip(axes, twins, legends):  # "best" is found as the legend is measured: no redraw
        settle_legend(ax, twin, legend)
    return figure
