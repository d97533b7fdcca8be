"""One held-out task: its true function, support points, and the prediction before and after adapting.

Figure 2 of Finn et al. 2017 (MAML), redrawn at every evaluation.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from studio.ui.panels.base import EMPTY, GREY, INK, RED, PlotPanel
from studio.ui.run_data import RunData


class TaskFitPanel(PlotPanel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__("taskFitPlot", "Held-out task fit", "x (task input)", "y (task output)", parent=parent)
        self.truth = self.curve("true function", INK)
        self.before = self.curve("before adapting", GREY, Qt.PenStyle.DashLine)
        self.after = self.curve("after adapting", RED)
        self.support = self.points("support points", "#2ca02c", size=8)
        self._seen = 0

    def expect(self, kind: str, input_dim: int) -> None:
        """Say so up front when the run's tasks are not the 1-D regression this panel draws."""
        drawable = kind == "regression" and input_dim == 1
        self.show_note(None if drawable else f"The task fit is drawn for 1-D regression tasks; these are {kind}.")

    def refresh(self, data: RunData) -> None:
        fit = data.fit
        if fit is None or data.fit_version == self._seen:
            return
        self._seen = data.fit_version
        self.truth.setData(fit.x, fit.y_true)
        self.before.setData(fit.x, fit.before)
        self.after.setData(fit.x, fit.after)
        self.support.setData(fit.x_support, fit.y_support)
        self.rename(self.after, f"after {fit.steps} step(s)")
        self.rename(self.support, f"support points ({len(fit.x_support)})")
        self.set_title(f"Held-out task fit (iteration {fit.iteration})")

    def clear(self) -> None:
        for item in (self.truth, self.before, self.after, self.support):
            item.setData(EMPTY, EMPTY)
        self.set_title("Held-out task fit")
        self._seen = 0
