"""A legend in the corner of a plot where it hides the least data (matplotlib's ``loc="best"``).

The legend is a box in the view's corner; which corner is free changes as a run
goes (a loss falls to the bottom right, an adaptation curve leaves the top
right), so the panel asks now and then.  It moves only when another corner
hides far fewer points than its own, so it does not jump with every redraw,
and never again once the user has dragged it somewhere.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

INSET = 8  # pixels between the legend and the plot's edges
CORNERS = ((-INSET, INSET), (INSET, INSET), (-INSET, -INSET), (INSET, -INSET))  # pyqtgraph offsets: TR, TL, BR, BL
SAMPLES = 200  # points a sparse curve is resampled to, so a line crossing the box counts, not only its vertices
MOVE_BELOW = 0.5  # move only to a corner that hides less than this share of the points the current one hides


def box_at(view: QRectF, width: float, height: float, offset: tuple[int, int]) -> QRectF:
    """Where a ``width`` × ``height`` legend sits in the ``view`` rectangle (scene pixels) at ``offset``."""
    left = view.left() + offset[0] if offset[0] > 0 else view.right() + offset[0] - width
    top = view.top() + offset[1] if offset[1] > 0 else view.bottom() + offset[1] - height
    return QRectF(left, top, width, height)


def dense(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The finite points of a curve, with points along its lines where it has few (x ascending, as ours are)."""
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if 1 < len(x) < SAMPLES and np.all(np.diff(x) >= 0):
        xs = np.linspace(x[0], x[-1], SAMPLES)
        return xs, np.interp(xs, x, y)
    return x, y


def points_under(plot: pg.PlotItem, scene_box: QRectF) -> int:
    """How many points of the plot's visible curves fall inside ``scene_box``."""
    box = plot.getViewBox().mapSceneToView(scene_box).boundingRect()
    count = 0
    for item in plot.listDataItems():
        x, y = item.getData()
        if not item.isVisible() or x is None or not len(x):
            continue
        x, y = dense(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        inside = (x >= box.left()) & (x <= box.right()) & (y >= box.top()) & (y <= box.bottom())
        count += int(np.count_nonzero(inside))
    return count


class PanelLegend(pg.LegendItem):
    """pyqtgraph's legend, remembering whether the user dragged it."""

    dragged = False

    def mouseDragEvent(self, event) -> None:  # noqa: N802 (pyqtgraph override)
        self.dragged = True
        super().mouseDragEvent(event)


def add_legend(plot: pg.PlotItem, offset: tuple[int, int], **options) -> PanelLegend:
    """``plot.addLegend``, with a :class:`PanelLegend`."""
    legend = PanelLegend(offset=offset, **options)
    legend.setParentItem(plot.getViewBox())
    plot.legend = legend  # where the plot's curves look for it when they are added
    return legend


class LegendPlacer:
    """``place()`` puts ``legend`` in the best corner of ``plot``; a drag by the user ends the placing."""

    def __init__(self, plot: pg.PlotItem, legend: PanelLegend):
        self.plot, self.legend = plot, legend

    def place(self) -> tuple[int, int]:
        """Move the legend if another corner hides far less; the corner it is in."""
        current = tuple(self.legend.opts["offset"])
        if self.legend.dragged or not self.legend.items or not self.plot.isVisible():
            return current
        view, size = self.plot.getViewBox().sceneBoundingRect(), self.legend.boundingRect()
        hidden = {c: points_under(self.plot, box_at(view, size.width(), size.height(), c)) for c in CORNERS}
        best = min(CORNERS, key=lambda c: (hidden[c], c != current))
        if hidden[best] < MOVE_BELOW * hidden.get(current, hidden[best] + 1):
            self.legend.setOffset(best)
            return best
        return current
