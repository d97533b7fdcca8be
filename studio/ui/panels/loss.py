"""Meta-training loss per iteration, with the held-out evaluation loss overlaid at its cadence.

Skipped meta-batches (a non-finite loss with ``on_divergence = "skip"``) leave
a gap in the curve; a run that diverged gets a red line where it stopped.
Classification runs add the held-out accuracy on a second axis at the right.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from studio.ui.panels.base import EMPTY, GREY, LONG_SERIES, ORANGE, RED, PlotPanel, pen
from studio.views.run_data import RunData

META_COLOR = "#9ec3e6"  # light: one noisy point per iteration sits behind the evaluations


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is >= ``value``."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


class LossPanel(PlotPanel):
    """The x axis follows the run in steps (1, 2, 5, 10, ...) rather than every frame, so the
    axes are redrawn a few times per decade, not 30 times a second; zooming stops the following.
    ``unitChanged(unit)`` when the loss on the y axis changes quantity (MSE, cross-entropy)."""

    unitChanged = Signal(str)

    def __init__(self, loss_unit: str = "MSE", parent: QWidget | None = None):
        super().__init__(
            "lossPlot", "Meta-training loss", "meta-iteration", self._y_label(loss_unit), grid=False, parent=parent
        )
        self.unit = loss_unit
        self._cover_x = 0.0  # compared runs' last iteration: the followed range reaches at least there
        self.plot.setLogMode(y=True)
        # NaN losses (skipped meta-batches) are gaps: the finite check must run, and only finite points connect
        self.meta = self.curve(
            "meta-batch, after adapting", META_COLOR, skipFiniteCheck=False, connect="finite", **LONG_SERIES
        )
        self.before = self.curve("held-out, before adapting", GREY, Qt.PenStyle.DashLine, symbol="t", symbolSize=5)
        self.after = self.curve("held-out, after adapting", RED, symbol="o", symbolSize=5, symbolBrush=RED)
        self.divergence = pg.InfiniteLine(angle=90, pen=pen(RED, Qt.PenStyle.DashLine), label="diverged")
        self.divergence.label.setColor(RED)
        self.divergence.hide()
        self.plot.addItem(self.divergence, ignoreBounds=True)
        self._accuracy_axis()
        self.plot.getViewBox().sigRangeChangedManually.connect(self._stop_following)
        self._seen = (0, 0)
        self._follow = True
        self._x_end = 0.0

    def _accuracy_axis(self) -> None:
        """A second view box for the held-out accuracy, on a linear axis at the right (shown when there is one)."""
        self.accuracy_view = pg.ViewBox()
        self.plot.scene().addItem(self.accuracy_view)
        axis = self.plot.getAxis("right")
        axis.linkToView(self.accuracy_view)
        axis.setLogMode(False)  # the plot's log mode reaches both vertical axes; accuracy is linear
        axis.enableAutoSIPrefix(False)
        axis.setPen(pen(GREY))
        axis.setTextPen(pen(ORANGE))
        self.plot.setLabel("right", "held-out accuracy", color=ORANGE, **{"font-size": "9pt"})
        self.plot.hideAxis("right")
        self.accuracy_view.setXLink(self.plot)
        self.accuracy_view.setYRange(0, 1)
        self.accuracy = pg.PlotDataItem(EMPTY, EMPTY, pen=pen(ORANGE), symbol="s", symbolSize=5, symbolBrush=ORANGE)
        self.accuracy_view.addItem(self.accuracy)
        self.plot.getViewBox().sigResized.connect(self._match_views)

    def _match_views(self) -> None:
        self.accuracy_view.setGeometry(self.plot.getViewBox().sceneBoundingRect())
        self.accuracy_view.linkedViewChanged(self.plot.getViewBox(), self.accuracy_view.XAxis)

    @staticmethod
    def _y_label(unit: str) -> str:
        return f"query loss ({unit}, log scale)"

    def set_unit(self, loss_unit: str) -> None:
        self.plot.setLabel("left", self._y_label(loss_unit))
        if loss_unit != self.unit:
            self.unit = loss_unit
            self.unitChanged.emit(loss_unit)

    def refresh(self, data: RunData) -> None:
        steps, evals = data.step_version, data.eval_version
        if steps != self._seen[0]:
            self.meta.setData(data.steps.column(0), data.steps.column(1))
            if data.skipped:
                self.rename(self.meta, f"meta-batch, after adapting ({data.skipped} skipped: non-finite)")
            self._follow_x(data)
        if evals != self._seen[1] and data.eval_loss is not None:
            self._draw_evaluations(data)
        self._seen = (steps, evals)
        self._mark_divergence(data)

    def _draw_evaluations(self, data: RunData) -> None:
        iterations = data.eval_iterations.column(0)
        last = len(data.eval_steps) - 1
        self.after.setData(iterations, data.eval_loss.column(last))
        self.before.setData(iterations, data.eval_loss.column(0) if last else EMPTY)
        self._list_before(bool(last))  # learners without inner steps have no "before"
        self.rename(self.after, f"held-out, after {data.eval_steps[last]} step(s)" if last else "held-out")
        if data.eval_accuracy is not None:
            if self.legend.getLabel(self.accuracy) is None:
                self.plot.showAxis("right")
                self.legend.addItem(self.accuracy, "held-out accuracy (right axis)")
            self.accuracy.setData(iterations, data.eval_accuracy.column(last))
            self._match_views()

    def _list_before(self, listed: bool) -> None:
        if listed and self.legend.getLabel(self.before) is None:
            self.legend.addItem(self.before, "held-out, before adapting")
        elif not listed and self.legend.getLabel(self.before) is not None:
            self.legend.removeItem(self.before)

    def _mark_divergence(self, data: RunData) -> None:
        finished = data.finished
        if finished is None or finished.reason != "diverged" or self.divergence.isVisible():
            return
        self.divergence.setPos(self.diverged_at(data))
        self.divergence.show()

    @staticmethod
    def diverged_at(data: RunData) -> int:
        """The iteration whose step turned non-finite: the one after the last completed (as the message says)."""
        return data.finished.iteration + 1 if data.finished is not None else 0

    def _follow_x(self, data: RunData) -> None:
        if not self._follow or data.iteration <= self._x_end:
            return
        total = data.started.total_iterations if data.started else data.iteration
        self._x_end = min(nice_ceiling(data.iteration), max(total, data.iteration))
        self._show_x()

    def _show_x(self) -> None:
        end = max(self._x_end, self._cover_x)
        if self.plot.getAxis("bottom").logMode:  # a log axis takes exponents: iteration 1 to the end
            self.plot.setXRange(0, math.log10(max(end, 10)), padding=0.02)
        else:
            self.plot.setXRange(0, end, padding=0.02)

    def cover_x(self, end: float) -> None:
        """While following the run on screen, keep x up to ``end`` in view too (the compared runs' end)."""
        self._cover_x = end
        if self._follow and self._x_end:
            self._show_x()

    def follow_again(self) -> None:
        """Follow the run from the next redraw."""
        self._follow, self._x_end = True, 0.0

    def scale_changed(self, log_x: bool, follow: bool) -> None:
        """The accuracy stays linear on its own axis, and its x goes log with the loss's (they share x)."""
        self.plot.getAxis("right").setLogMode(False)
        self.accuracy.setLogMode(log_x, False)
        if follow:
            self.follow_again()

    def _stop_following(self, *_: object) -> None:
        self._follow = False

    def clear(self) -> None:
        for item in (self.meta, self.before, self.after, self.accuracy):
            item.setData(EMPTY, EMPTY)
        self.rename(self.meta, "meta-batch, after adapting")
        self.divergence.hide()
        self.legend.removeItem(self.accuracy)
        self._list_before(True)
        self.plot.hideAxis("right")
        self._seen = (0, 0)
        self.follow_again()
        self.plot.enableAutoRange()
