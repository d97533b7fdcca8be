"""What the task sampler has drawn so far: a histogram of each task parameter (for the sinusoid,
amplitude and phase), with the curriculum's current reach marked, so a schedule can be seen acting."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from studio.engine.events import TasksDrawn
from studio.ui.panels.base import BLUE, EMPTY, GREY, ORANGE, pen
from studio.ui.panels.figure import FigurePanel
from studio.views.run_data import RunData

TITLE = "Tasks drawn"
BINS = 30
HEADROOM = 1.2  # the y axis reaches this far above the tallest bar
MAX_PLOTS = 4  # parameters shown side by side; more would be too narrow to read
NOTHING = "Histograms of the drawn tasks' parameters appear at the first evaluation (for families with parameters)."


def drawn_title(drawn: TasksDrawn) -> str:
    """Two short lines: the panel is narrow."""
    how = f"curriculum at {drawn.width:.0%} of each range" if drawn.width is not None else f"{drawn.strategy} sampling"
    return f"{TITLE} by iteration {drawn.iteration}<br>{how}"


def reach(data: RunData, name: str, width: float | None) -> tuple[float, float, float] | None:
    """A curriculum parameter's full range (low, high) and how far the curriculum has opened it."""
    if width is None or data.started is None:
        return None
    preset = data.started.preset
    if name not in preset.sampling.curriculum_parameters:
        return None
    low, high = getattr(preset.task, name)
    return float(low), float(high), float(low + width * (high - low))


def bins(values: np.ndarray) -> int | np.ndarray:
    """A bar per value for a few whole numbers (a table's group index), else :data:`BINS` equal bins."""
    low, high = float(values.min()), float(values.max())
    if np.all(values == np.round(values)) and high - low < 4 * BINS:
        return np.arange(low - 0.5, high + 1.5)
    return BINS


class ParameterHistogram:
    """One parameter's histogram, and for a curriculum the range's end (grey) and its current reach (orange)."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.bars = pg.PlotDataItem(
            EMPTY, EMPTY, stepMode="center", fillLevel=0, pen=pen(BLUE), brush=pg.mkBrush(31, 119, 180, 80)
        )
        plot.addItem(self.bars)
        self.end = pg.InfiniteLine(angle=90, pen=pen(GREY, Qt.PenStyle.DotLine))
        self.now = pg.InfiniteLine(angle=90, pen=pen(ORANGE), label="curriculum", labelOpts={"color": ORANGE})
        for line in (self.end, self.now):
            line.hide()
            plot.addItem(line, ignoreBounds=True)
        self.counts = np.zeros(0, dtype=np.int64)

    def show(self, values: np.ndarray, limits: tuple[float, float, float] | None) -> None:
        """Bars of ``values``; with a curriculum's ``limits`` the axis spans the full range, the reach marked."""
        finite = values[np.isfinite(values)]
        self.counts, edges = np.histogram(finite, bins=bins(finite)) if len(finite) else (np.zeros(0, np.int64), EMPTY)
        self.bars.setData(edges, self.counts)
        top = int(self.counts.max()) if len(self.counts) else 0  # one label: the plots are too short for more
        self.plot.getAxis("left").setTicks([[(top, str(top))], []] if top else None)
        self.plot.setYRange(0, max(top, 1) * HEADROOM, padding=0)  # room above the tallest bar for its label
        self.end.setVisible(limits is not None)
        self.now.setVisible(limits is not None)
        if limits is None:
            self.plot.enableAutoRange(x=True)
            return
        low, high, now = limits
        self.end.setPos(high)
        self.now.setPos(now)
        self.plot.setXRange(low, high, padding=0.05)


class TasksDrawnPanel(FigurePanel):
    """One histogram per drawn parameter; ``histograms[name].counts`` are the bars on screen."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("tasksDrawnPlot", TITLE, parent=parent)
        self.histograms: dict[str, ParameterHistogram] = {}
        self.drawn: TasksDrawn | None = None
        self._seen = 0
        self.show_note(NOTHING)

    def refresh(self, data: RunData) -> None:
        drawn = data.drawn
        if drawn is None or data.drawn_version == self._seen:
            return
        self._seen, self.drawn = data.drawn_version, drawn
        names = list(drawn.values)[:MAX_PLOTS]
        if names != list(self.histograms):
            self._layout(names)
        for name in names:
            self.histograms[name].show(np.asarray(drawn.values[name], dtype=float), reach(data, name, drawn.width))
        self.set_title(drawn_title(drawn))
        self.show_note(None if names else NOTHING)

    def _layout(self, names: list[str]) -> None:
        for histogram in self.histograms.values():
            self.figure.removeItem(histogram.plot)
        self.histograms = {}
        columns = 1 if len(names) <= 2 else 2  # one above the other: the panel is narrow, and short for 3+
        for index, name in enumerate(names):  # named at the side: an x label would take a row of height
            plot = self.add_plot(1 + index // columns, index % columns, "", "", name)
            self.histograms[name] = ParameterHistogram(plot)

    def clear(self) -> None:
        self._layout([])  # the next run may draw other parameters, or none
        self.drawn, self._seen = None, 0
        self.set_title(TITLE)
        self.show_note(NOTHING)
