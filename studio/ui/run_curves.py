"""The plot items of one compared run (or one seed group) on the loss and adaptation panels.

Each run has one colour: its curve on the loss plot (smoothed when the slider
says so, with the raw curve faint underneath), its held-out evaluations as
dots, and its last adaptation curve.  A seed group is drawn as its geometric mean
with a band (std or 95% CI of log loss: never below zero) instead of one
curve per seed.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from studio.export.run_metrics import RunMetrics
from studio.export.smoothing import log_safe
from studio.ui.panels.base import EMPTY, LONG_SERIES, PlotPanel, pen
from studio.views.run_series import adaptation, final_eval_column, mean_band, smoothed

FAINT_ALPHA = "55"  # of the raw curve under a smoothed one
BAND_ALPHA = 50


def faint(colour: str) -> str:
    return f"{colour}{FAINT_ALPHA}"


def brush(colour: str) -> pg.QtGui.QBrush:
    tone = pg.mkColor(colour)
    tone.setAlpha(BAND_ALPHA)
    return pg.mkBrush(tone)


class View:
    """What the plot controls ask of every compared curve."""

    def __init__(self, smoothing: float = 0.0, x: str = "iteration", log_y: bool = True, band: str = "ci95"):
        self.smoothing, self.x, self.log_y, self.band = smoothing, x, log_y, band

    def y(self, values: np.ndarray) -> np.ndarray:
        """Values a log axis can show (others become gaps)."""
        return log_safe(values) if self.log_y else values


class Items:
    """Plot items that live and die together (one run's, one group's) and show or hide together."""

    def __init__(self) -> None:
        self.items: list[tuple[pg.PlotItem, pg.GraphicsObject]] = []
        self.visible = True

    def add(self, plot: pg.PlotItem, item: pg.GraphicsObject) -> pg.GraphicsObject:
        self.items.append((plot, item))
        return item

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        for _, item in self.items:
            item.setVisible(visible)

    def remove(self) -> None:
        for plot, item in self.items:
            plot.removeItem(item)  # also takes the curve's legend entry away
        self.items = []


class RunCurves(Items):
    """One run: faint raw curve, main curve (in the legend), evaluation dots, adaptation curve."""

    def __init__(self, loss: PlotPanel, adapt: PlotPanel | None, label: str, colour: str):
        """Without ``adapt``, no adaptation curve (the live run's: its panel draws it)."""
        super().__init__()
        self.label, self.colour = label, colour
        series = {"skipFiniteCheck": False, "connect": "finite", **LONG_SERIES}
        self.raw = self.add(loss.plot, loss.curve(None, faint(colour), **series))
        self.main = self.add(loss.plot, loss.curve(label, colour, **series))
        self.evals = self.add(loss.plot, loss.points(None, colour, size=5))
        self.final = None
        if adapt is not None:
            self.final = self.add(adapt.plot, adapt.curve(label, colour, symbol="o", symbolSize=5, symbolBrush=colour))

    def draw(self, metrics: RunMetrics, view: View) -> None:
        xs, ys = metrics.series("meta_loss", view.x)
        self.main.setData(xs, view.y(smoothed(ys, view.smoothing)))
        self.raw.setData(xs, view.y(ys) if view.smoothing > 0 else EMPTY)
        column = final_eval_column(metrics)
        ex, ey = metrics.series(column, view.x) if column else (EMPTY, EMPTY)
        self.evals.setData(ex, view.y(ey))
        final = adaptation(metrics) if self.final is not None else None
        if self.final is not None:
            self.final.setData(*((final.steps, final.mean) if final is not None else (EMPTY, EMPTY)))

    @property
    def legend_items(self) -> tuple[pg.PlotDataItem, ...]:
        return (self.main,) if self.final is None else (self.main, self.final)


class GroupCurves(Items):
    """Runs of one preset over several seeds: the mean with a band, on both plots."""

    def __init__(self, loss: PlotPanel, adapt: PlotPanel, label: str, colour: str):
        super().__init__()
        self.label, self.colour, self.loss = label, colour, loss
        self.main, self.lower, self.upper = self._mean_and_band(loss, label, colour)
        self.final, self.final_lower, self.final_upper = self._mean_and_band(adapt, label, colour)

    def _mean_and_band(self, panel: PlotPanel, label: str, colour: str) -> tuple[pg.PlotDataItem, ...]:
        edges = [self.add(panel.plot, panel.curve(None, faint(colour), Qt.PenStyle.DotLine)) for _ in range(2)]
        fill = pg.FillBetweenItem(edges[0], edges[1], brush=brush(colour))
        panel.plot.addItem(fill)
        self.add(panel.plot, fill)
        main = self.add(panel.plot, panel.curve(label, colour, symbol=None))
        main.setPen(pen(colour, width=2))
        return main, edges[0], edges[1]

    def draw(self, runs: list[RunMetrics], view: View) -> None:
        """Seeds are aligned on the iteration (their clocks differ); against wall time, x is their mean time."""
        loss = [(xs, smoothed(ys, view.smoothing)) for xs, ys in (run.series("meta_loss") for run in runs)]
        x, mean, low, high = mean_band(loss, view.band, log=True)
        if view.x == "wall_time":
            clock = mean_band([run.series("elapsed_s") for run in runs], view.band)
            x = np.interp(x, clock[0], clock[1])
        self._set(self.main, self.lower, self.upper, x, mean, low, high, view)
        finals = [(f.steps, f.mean) for f in (adaptation(run) for run in runs) if f is not None]
        if finals:
            bands = mean_band(finals, view.band, log=True)
            self._set(self.final, self.final_lower, self.final_upper, *bands, view=None)
        kind = "×/÷ std" if view.band == "std" else "95% CI"
        name = f"{self.label} ({len(runs)} seeds: geometric mean, {kind} of log loss)"
        self.main.opts["name"] = name  # what the crosshair read-out says
        self.loss.rename(self.main, name)

    @staticmethod
    def _set(main, lower, upper, x, mean, low, high, view: View | None) -> None:
        fix = view.y if view is not None else (lambda values: values)
        main.setData(x, fix(mean))
        lower.setData(x, fix(np.where(np.isfinite(low), low, mean)))
        upper.setData(x, fix(np.where(np.isfinite(high), high, mean)))

    @property
    def legend_items(self) -> tuple[pg.PlotDataItem, ...]:
        return self.main, self.final
