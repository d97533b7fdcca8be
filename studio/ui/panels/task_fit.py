"""One held-out task before and after adapting, drawn as its family allows.

1-D regression: the true function, support points and both predictions
(Figure 2 of Finn et al. 2017, MAML).  2-D classification: decision regions.
Image classification: the episode's images with the queries judged.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from studio.engine.events import ClassificationFit, DecisionMap, TaskFit
from studio.ui.panels.base import EMPTY, GREY, INK, RED, PlotPanel
from studio.ui.panels.classification_fit import ClassificationFitView
from studio.ui.panels.decision_map import DecisionMapView
from studio.views.run_data import RunData

NO_PICTURE = "No picture of a held-out task for {kind} tasks with {dims} inputs; the other plots show how it learns."


class RegressionFitView(PlotPanel):
    """A 1-D regression task: the true function, its support points, the prediction before and after."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("taskFitPlot", "Held-out task fit", "x (task input)", "y (task output)", parent=parent)
        self.truth = self.curve("true function", INK)
        self.before = self.curve("before adapting", GREY, Qt.PenStyle.DashLine)
        self.after = self.curve("after adapting", RED)
        self.support = self.points("support points", "#2ca02c", size=8)

    def show_fit(self, fit: TaskFit) -> None:
        self.truth.setData(fit.x, fit.y_true)
        self.before.setData(fit.x, fit.before if fit.steps else EMPTY)  # no inner loop: the two are one curve
        self.after.setData(fit.x, fit.after)
        self.support.setData(fit.x_support, fit.y_support)
        self.rename(self.after, f"after {fit.steps} step(s)" if fit.steps else "prediction (no inner steps)")
        self.rename(self.support, f"support points ({len(fit.x_support)})")
        self.set_title(f"Held-out task fit (iteration {fit.iteration})")

    def clear(self) -> None:
        for item in (self.truth, self.before, self.after, self.support):
            item.setData(EMPTY, EMPTY)
        self.set_title("Held-out task fit")


class TaskFitPanel(QWidget):
    """Shows the view for the run's kind of task; ``regression``, ``decision`` and ``images`` are the three."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.regression = RegressionFitView()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.regression)
        self._views: dict[str, QWidget] = {}  # the classification views, once a run needs them
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._seen = 0

    # the regression view's curves, as the window's tests and exports have always found them here
    truth = property(lambda self: self.regression.truth)
    before = property(lambda self: self.regression.before)
    after = property(lambda self: self.regression.after)
    support = property(lambda self: self.regression.support)

    @property
    def plot(self) -> pg.PlotItem:
        return self.regression.plot

    @property
    def decision(self) -> DecisionMapView:
        """Built on first use, as is :attr:`images`: they would add ~0.07 s CPU to the window's start-up."""
        return self._view("decision", DecisionMapView)

    @property
    def images(self) -> ClassificationFitView:
        return self._view("images", ClassificationFitView)

    def _view(self, name: str, kind: type) -> QWidget:
        if name not in self._views:
            self._views[name] = kind()
            self.stack.addWidget(self._views[name])
        return self._views[name]

    def expect(self, kind: str, input_dim: int) -> None:
        """Pick the view for the run's tasks, or say up front that there is no picture for them."""
        if kind == "classification":
            self.stack.setCurrentWidget(self.decision if input_dim == 2 else self.images)
            self.decision.show_note(None)
            return
        self.stack.setCurrentWidget(self.regression)
        drawable = input_dim == 1
        self.regression.show_note(None if drawable else NO_PICTURE.format(kind=kind, dims=input_dim))

    def refresh(self, data: RunData) -> None:
        fit = data.fit
        if fit is None or data.fit_version == self._seen:
            return
        self._seen = data.fit_version
        if isinstance(fit, TaskFit):
            self.stack.setCurrentWidget(self.regression)
            self.regression.show_fit(fit)
        elif isinstance(fit, DecisionMap):
            self.stack.setCurrentWidget(self.decision)
            self.decision.show_map(fit)
        elif isinstance(fit, ClassificationFit):
            self.stack.setCurrentWidget(self.images)
            self.images.show_fit(fit)

    def clear(self) -> None:
        for view in (self.regression, *self._views.values()):
            view.clear()
        self._seen = 0

    def export_image(self, path: str | Path) -> Path:
        """The view on screen as PNG or SVG."""
        return self.stack.currentWidget().export_image(path)
