"""What a figure shows, as plain data (no matplotlib here): curves with their bands, grouped into panels.

The window, the command line and the HTML report build these from the same
buffers and files their plots come from; :mod:`studio.export.figures` draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from studio.export.figure_style import colour_for

DRAW_KINDS = ("line", "points", "steps")


@dataclass(frozen=True)
class Curve:
    """One series: ``faint`` draws it thin and light (the raw curve under a smoothed one); ``band`` is (low, high).

    ``draw`` is ``line``, ``points`` (markers only) or ``steps`` (a histogram: ``x`` are the bin edges, one more
    than ``y``); ``marker`` adds a marker per point to a line; ``dashed`` dashes it; ``right`` puts it on a second
    y axis at the right (accuracy beside a loss).  An empty ``label`` keeps it out of the legend.
    """

    label: str
    x: Sequence[float]
    y: Sequence[float]
    colour: str = ""
    faint: bool = False
    band: tuple[Sequence[float], Sequence[float]] | None = None
    draw: str = "line"
    marker: str = ""
    dashed: bool = False
    right: bool = False
    hollow: bool = False  # markers as rings

    @property
    def has_points(self) -> bool:
        y = np.asarray(self.y, dtype=np.float64)
        return bool(len(y)) and bool(np.isfinite(y).any())


@dataclass(frozen=True)
class Raster:
    """An RGB picture under a panel's curves (decision regions): ``pixels`` (rows, columns, 3) uint8 with row 0
    at the bottom, spanning ``extent`` (left, right, bottom, top) in data units."""

    pixels: np.ndarray
    extent: tuple[float, float, float, float]


@dataclass(frozen=True)
class Panel:
    """One plot of a figure: its curves, axis labels, and how the axes read."""

    title: str
    x_label: str
    y_label: str
    curves: tuple[Curve, ...] = ()
    log_y: bool = False
    integer_x: bool = False  # ticks only at whole numbers (inner steps)
    right_label: str = ""  # the second y axis' label, for curves with ``right``
    right_range: tuple[float, float] | None = None
    x_ticks: tuple[tuple[float, str], ...] = field(default=())  # fixed ticks with their labels
    raster: Raster | None = None

    @property
    def is_empty(self) -> bool:
        """Nothing to draw: such a panel is left out of a figure rather than drawn blank."""
        return self.raster is None and not any(curve.has_points for curve in self.curves)


def coloured(curves: Sequence[Curve]) -> tuple[Curve, ...]:
    """``curves`` with the palette's colours where a curve names none (i-th uncoloured curve, i-th colour)."""
    return tuple(c if c.colour else replace(c, colour=colour_for(i)) for i, c in enumerate(curves))


def drawable(panels: Sequence[Panel]) -> list[Panel]:
    """The panels with something to draw, in order."""
    return [panel for panel in panels if not panel.is_empty]
