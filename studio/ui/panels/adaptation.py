"""Held-out query loss against inner-loop steps: the latest evaluation with its 95% CI, the first one faint."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from studio.engine.events import Evaluation
from studio.ui.panels.base import BLUE, EMPTY, GREY, PlotPanel
from studio.ui.run_data import RunData

BAND_EDGE = "#1f77b480"
MAX_LABELLED_STEPS = 20  # beyond this, let pyqtgraph choose the ticks


class AdaptationPanel(PlotPanel):
    def __init__(self, loss_unit: str = "MSE", parent: QWidget | None = None):
        super().__init__(
            "adaptationPlot",
            "Adaptation curve",
            "inner-loop steps",
            f"held-out query loss ({loss_unit})",
            legend_corner=(8, -8),  # bottom left: adapting lowers the loss, so the curves leave it free
            parent=parent,
        )
        self.first = self.curve(
            "first evaluation", GREY, Qt.PenStyle.DashLine, symbol="o", symbolSize=5, symbolBrush=GREY
        )
        # the band's edges need a pen: pyqtgraph gives a pen-less curve no path to fill between
        self.upper = self.curve(None, BAND_EDGE, Qt.PenStyle.DotLine)
        self.lower = self.curve(None, BAND_EDGE, Qt.PenStyle.DotLine)
        self.band = pg.FillBetweenItem(self.upper, self.lower, brush=pg.mkBrush(31, 119, 180, 45))
        self.plot.addItem(self.band)
        self.latest = self.curve("latest evaluation ± 95% CI", BLUE, symbol="o", symbolSize=6, symbolBrush=BLUE)
        self._seen = 0

    def set_unit(self, loss_unit: str) -> None:
        self.plot.setLabel("left", f"held-out query loss ({loss_unit})")

    def refresh(self, data: RunData) -> None:
        if data.eval_version == self._seen or data.last_evaluation is None:
            return
        self._seen = data.eval_version
        first, last = data.first_evaluation, data.last_evaluation
        steps = np.asarray(last.steps, dtype=float)
        mean, ci = np.asarray(last.loss_mean), np.asarray(last.loss_ci95)
        self.latest.setData(steps, mean)
        self.upper.setData(steps, mean + ci)
        self.lower.setData(steps, mean - ci)
        self.rename(self.latest, f"iteration {last.iteration} ± 95% CI ({last.tasks} tasks)")
        if first is not None and first is not last:
            self.first.setData(np.asarray(first.steps, dtype=float), np.asarray(first.loss_mean))
            self.rename(self.first, f"first evaluation (iteration {first.iteration})")
        self._label_steps(last)

    def _label_steps(self, evaluation: Evaluation) -> None:
        ticks = (
            [[(float(s), str(s)) for s in evaluation.steps]] if len(evaluation.steps) <= MAX_LABELLED_STEPS else None
        )
        self.plot.getAxis("bottom").setTicks(ticks)

    def clear(self) -> None:
        for item in (self.first, self.upper, self.lower, self.latest):
            item.setData(EMPTY, EMPTY)
        self.rename(self.first, "first evaluation")
        self.rename(self.latest, "latest evaluation ± 95% CI")
        self._seen = 0
