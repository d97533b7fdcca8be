"""The sweep's plots: parallel coordinates with a brush on every axis, and the objective by trial.

Each trial is one line across the axes (swept settings, then the objective),
coloured from the best trial (dark) to the worst (light); a pruned or failed
trial is grey and dashed and stops at the axes it has values for.  Every axis
carries a range (a :class:`pyqtgraph.LinearRegionItem` drawn over that axis
only): drag its edges to brush, and ``brushed`` says which ranges are set.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPen

from studio.sweeps.progress import Axis, TrialRow, best_so_far, row_positions

BRUSH_WIDTH = 0.3  # of the distance between two axes
LIGHT, DARK = np.array([253, 231, 37]), np.array([68, 1, 84])  # viridis' ends: best is dark


class ParallelCoordinates(pg.PlotWidget):
    """``show_trials(axes, rows, maximize)``; ``brushed`` emits ``{axis index: (low, high)}`` in 0..1."""

    brushed = Signal(object)  # {axis index: (low, high)}

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setObjectName("parallelCoordinates")
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getAxis("left").setTicks([[(0, "low"), (1, "high")]])
        self.axes: list[Axis] = []
        self.lines: dict[int, pg.PlotDataItem] = {}
        self.regions: list[pg.LinearRegionItem] = []
        self._labels: list[pg.TextItem] = []

    def show_trials(self, found: list[Axis], rows: list[TrialRow], maximize: bool) -> None:
        if [a.label for a in found] != [a.label for a in self.axes] or _bounds(found) != _bounds(self.axes):
            self._lay_out(found)
        values = sorted(r.value for r in rows if r.state == "complete" and r.value is not None)
        for row in rows:  # a pruned trial's value is its last report before it was stopped: drawn grey
            self._draw(row, _rank(row.value, values, maximize) if row.state == "complete" else None)
        for number in set(self.lines) - {r.number for r in rows}:
            self.removeItem(self.lines.pop(number))

    def _lay_out(self, found: list[Axis]) -> None:
        brushes = self.brushes()
        self.clear()
        self.lines.clear()
        self.axes = found
        count = len(found)
        self.setXRange(-0.5, count - 0.5, padding=0)
        self.setYRange(-0.08, 1.08, padding=0)
        self.getAxis("bottom").setTicks([[(i, _short(a.label)) for i, a in enumerate(found)]])
        for i, axis in enumerate(found):
            self.addItem(pg.InfiniteLine(pos=i, angle=90, pen=pg.mkPen("#888888")))
            self._label(i, 0.0, _tick(axis, 0.0), Qt.AlignmentFlag.AlignTop)
            self._label(i, 1.0, _tick(axis, 1.0), Qt.AlignmentFlag.AlignBottom)
        self.regions = [self._region(i, count, brushes.get(i, (0.0, 1.0))) for i in range(count)]

    def _label(self, x: float, y: float, text: str, where: Qt.AlignmentFlag) -> None:
        anchor = (0.5, 0.0) if where == Qt.AlignmentFlag.AlignTop else (0.5, 1.0)
        item = pg.TextItem(text, color="#333333", anchor=anchor)
        item.setPos(x, y - 0.01 if where == Qt.AlignmentFlag.AlignTop else y + 0.01)
        self.addItem(item)

    def _region(self, index: int, count: int, values: tuple[float, float]) -> pg.LinearRegionItem:
        centre = (index + 0.5) / count
        span = (centre - BRUSH_WIDTH / 2 / count, centre + BRUSH_WIDTH / 2 / count)
        region = pg.LinearRegionItem(
            values=values, orientation="horizontal", bounds=(0.0, 1.0), span=span, brush=QColor(0, 114, 178, 22)
        )
        region.setZValue(10)
        region.sigRegionChangeFinished.connect(lambda _item: self.brushed.emit(self.brushes()))
        self.addItem(region)
        return region

    def _draw(self, row: TrialRow, rank: float | None) -> None:
        positions = row_positions(row, self.axes)
        y = np.array([np.nan if p is None else p for p in positions], dtype=float)
        x = np.arange(len(y), dtype=float)
        line = self.lines.get(row.number)
        if line is None:
            line = self.lines[row.number] = pg.PlotDataItem(connect="finite")
            self.addItem(line)
        line.setData(x, y)
        line.setPen(_pen(rank))

    def brushes(self) -> dict[int, tuple[float, float]]:
        """The axes whose range is narrower than the whole axis, as positions 0..1."""
        found = {}
        for i, region in enumerate(self.regions):
            low, high = region.getRegion()
            if low > 1e-6 or high < 1 - 1e-6:
                found[i] = (float(low), float(high))
        return found

    def set_brush(self, index: int, low: float, high: float) -> None:
        """Brush axis ``index`` to positions ``low``..``high`` (as dragging its range's edges does)."""
        self.regions[index].setRegion((low, high))
        self.brushed.emit(self.brushes())


def _bounds(found: list[Axis]) -> list[tuple[float, float]]:
    return [(a.low, a.high) for a in found]


def _rank(value: float | None, values: list[float], maximize: bool) -> float | None:
    """0 for the best finished trial, 1 for the worst; None for one without an objective."""
    if value is None or len(values) < 2:
        return None if value is None else 0.0
    where = values.index(value) / (len(values) - 1)
    return 1 - where if maximize else where


def _pen(rank: float | None) -> QPen:
    if rank is None:
        pen = pg.mkPen("#9e9e9e", width=1)
        pen.setStyle(Qt.PenStyle.DashLine)
        return pen
    colour = DARK + (LIGHT - DARK) * rank
    return pg.mkPen(QColor(*(int(c) for c in colour)), width=2 if rank == 0 else 1)


def _short(label: str) -> str:
    return label.rsplit(".", 1)[-1]


def _tick(axis: Axis, position: float) -> str:
    if axis.choices:
        return str(axis.choices[0] if position == 0 else axis.choices[-1])
    value = axis.value_at(position)
    return f"{value:.3g}" if math.isfinite(value) else ""


class ObjectivePlot(pg.PlotWidget):
    """Each finished trial's objective, and the best so far as a step line."""

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setObjectName("objectivePlot")
        self.setLabel("bottom", "trial")
        self.points = self.plot([], [], pen=None, symbol="o", symbolSize=6, symbolBrush="#0072B2")
        self.pruned = self.plot([], [], pen=None, symbol="x", symbolSize=7, symbolBrush="#9e9e9e", symbolPen="#9e9e9e")
        self.best = self.plot([], [], pen=pg.mkPen("#D55E00", width=2))
        self.addLegend(offset=(-10, 10))
        self.plotItem.legend.addItem(self.points, "trial")
        self.plotItem.legend.addItem(self.pruned, "pruned (last report)")
        self.plotItem.legend.addItem(self.best, "best so far")

    def show_trials(self, rows: list[TrialRow], maximize: bool, objective: str) -> None:
        self.setLabel("left", objective)
        done = [(r.number, r.value) for r in rows if r.state == "complete" and r.value is not None]
        stopped = [(r.number, r.value) for r in rows if r.state != "complete" and r.value is not None]
        self.points.setData([n for n, _ in done], [v for _, v in done])
        self.pruned.setData([n for n, _ in stopped], [v for _, v in stopped])
        curve = best_so_far(rows, maximize)
        self.best.setData([n for n, _ in curve], [v for _, v in curve])
