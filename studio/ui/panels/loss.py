"""Meta-training loss per iteration, with the held-out evaluation loss overlaid at its cadence."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from studio.ui.panels.base import EMPTY, GREY, RED, PlotPanel
from studio.ui.run_data import RunData

META_COLOR = "#9ec3e6"  # light: one noisy point per iteration sits behind the evaluations


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is >= ``value``."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


class LossPanel(PlotPanel):
    """The x axis follows the run in steps (1, 2, 5, 10, ...) rather than every frame, so the
    axes are redrawn a few times per decade, not 30 times a second; zooming stops the following."""

    def __init__(self, loss_unit: str = "MSE", parent: QWidget | None = None):
        super().__init__(
            "lossPlot", "Meta-training loss", "meta-iteration", self._y_label(loss_unit), grid=False, parent=parent
        )
        self.plot.setLogMode(y=True)
        self.meta = self.curve("meta-batch, after adapting", META_COLOR)
        self.before = self.curve("held-out, before adapting", GREY, Qt.PenStyle.DashLine, symbol="t", symbolSize=5)
        self.after = self.curve("held-out, after adapting", RED, symbol="o", symbolSize=5, symbolBrush=RED)
        self.plot.getViewBox().sigRangeChangedManually.connect(self._stop_following)
        self._seen = (0, 0)
        self._follow = True
        self._x_end = 0.0

    @staticmethod
    def _y_label(unit: str) -> str:
        return f"query loss ({unit}, log scale)"

    def set_unit(self, loss_unit: str) -> None:
        self.plot.setLabel("left", self._y_label(loss_unit))

    def refresh(self, data: RunData) -> None:
        steps, evals = data.step_version, data.eval_version
        if steps != self._seen[0]:
            self.meta.setData(data.steps.column(0), data.steps.column(1))
            self._follow_x(data)
        if evals != self._seen[1] and data.eval_loss is not None:
            iterations = data.eval_iterations.column(0)
            last = len(data.eval_steps) - 1
            self.after.setData(iterations, data.eval_loss.column(last))
            self.before.setData(iterations, data.eval_loss.column(0) if last else EMPTY)
            self.rename(self.after, f"held-out, after {data.eval_steps[last]} step(s)")
        self._seen = (steps, evals)

    def _follow_x(self, data: RunData) -> None:
        if not self._follow or data.iteration <= self._x_end:
            return
        total = data.started.total_iterations if data.started else data.iteration
        self._x_end = min(nice_ceiling(data.iteration), max(total, data.iteration))
        self.plot.setXRange(0, self._x_end, padding=0.02)

    def _stop_following(self, *_: object) -> None:
        self._follow = False

    def clear(self) -> None:
        for item in (self.meta, self.before, self.after):
            item.setData(EMPTY, EMPTY)
        self._seen = (0, 0)
        self._follow, self._x_end = True, 0.0
        self.plot.enableAutoRange()
