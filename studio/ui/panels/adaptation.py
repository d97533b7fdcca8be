"""Held-out query loss (or accuracy) against inner-loop steps: the latest evaluation with its 95% CI,
the first one faint, and the conventional baselines beside them (Figure 2 of Finn et al. 2017, MAML)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QWidget

from studio.engine.events import Evaluation
from studio.engine.protocol import protocol_label
from studio.ui.panels.base import BLUE, EMPTY, GREEN, GREY, ORANGE, PlotPanel, pen
from studio.views.run_data import RunData

BAND_EDGE = "#1f77b480"
MAX_LABELLED_STEPS = 20  # beyond this, let pyqtgraph choose the ticks
BASELINE_STYLES = {"pretrain": (ORANGE, Qt.PenStyle.DashLine, "s"), "scratch": (GREEN, Qt.PenStyle.DashDotLine, "d")}
OTHER_BASELINE = ("#9467bd", Qt.PenStyle.DotLine, "t")


def series(evaluation: Evaluation, accuracy: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps, means and 95% half-widths of the loss, or of the accuracy (empty when it has none)."""
    if accuracy:
        mean, ci = evaluation.accuracy_mean, evaluation.accuracy_ci95
    else:
        mean, ci = evaluation.loss_mean, evaluation.loss_ci95
    if mean is None or ci is None:
        return EMPTY, EMPTY, EMPTY
    return np.asarray(evaluation.steps, dtype=float), np.asarray(mean, dtype=float), np.asarray(ci, dtype=float)


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
        self.unit = loss_unit
        self.first = self.curve(
            "first evaluation", GREY, Qt.PenStyle.DashLine, symbol="o", symbolSize=5, symbolBrush=GREY
        )
        # the band's edges need a pen: pyqtgraph gives a pen-less curve no path to fill between
        self.upper = self.curve(None, BAND_EDGE, Qt.PenStyle.DotLine)
        self.lower = self.curve(None, BAND_EDGE, Qt.PenStyle.DotLine)
        self.band = pg.FillBetweenItem(self.upper, self.lower, brush=pg.mkBrush(31, 119, 180, 45))
        self.plot.addItem(self.band)
        self.bars = pg.ErrorBarItem(x=EMPTY, y=EMPTY, height=EMPTY, beam=0.15, pen=pen(BLUE))  # one-point curves
        self.plot.addItem(self.bars)
        self.latest = self.curve("latest evaluation ± 95% CI", BLUE, symbol="o", symbolSize=6, symbolBrush=BLUE)
        self.baseline_curves: dict[str, pg.PlotDataItem] = {}
        self.show_accuracy = self._accuracy_toggle()
        self._data: RunData | None = None
        self._seen = (0, 0)

    def _accuracy_toggle(self) -> QCheckBox:
        toggle = QCheckBox("accuracy")
        toggle.setObjectName("adaptationAccuracyCheck")
        toggle.setToolTip("Plot the held-out query accuracy instead of the loss")
        toggle.hide()  # until a run's evaluations score accuracy
        toggle.toggled.connect(self._metric_changed)
        self.layout().addWidget(toggle)
        return toggle

    def set_unit(self, loss_unit: str) -> None:
        self.unit = loss_unit
        self._label_axis()

    def _label_axis(self) -> None:
        text = "held-out query accuracy" if self.accuracy else f"held-out query loss ({self.unit})"
        self.plot.setLabel("left", text)

    @property
    def accuracy(self) -> bool:
        return self.show_accuracy.isChecked()

    def refresh(self, data: RunData) -> None:
        seen = (data.eval_version, len(data.baselines))
        if seen == self._seen or data.last_evaluation is None:
            return
        self._seen, self._data = seen, data
        self.show_accuracy.setVisible(data.has_accuracy)
        self._draw(data)

    def _metric_changed(self) -> None:
        self._label_axis()
        if self._data is not None:
            self._draw(self._data)

    def _draw(self, data: RunData) -> None:
        first, last = data.first_evaluation, data.last_evaluation
        self._draw_latest(last, f"; {protocol_label(data.started.preset)}" if data.started else "")
        if first is not None and first is not last:
            steps, mean, _ = series(first, self.accuracy)
            self.first.setData(steps, mean)
            self.rename(self.first, f"first evaluation (iteration {first.iteration})")
        for name, evaluation in data.baselines.items():
            steps, mean, _ = series(evaluation, self.accuracy)
            self._baseline(name).setData(steps, mean)
        beyond = {s for e in data.baselines.values() for s in e.steps} - set(last.steps)  # a tuned step count
        if beyond:
            self.plot.enableAutoRange(axis="x")  # undo the one-point range so those points show
        self._label_steps(last, beyond)

    def _draw_latest(self, last: Evaluation, protocol: str) -> None:
        steps, mean, ci = series(last, self.accuracy)
        self.latest.setData(steps, mean)
        one_point = len(steps) == 1  # ProtoNets, ridge head, attention: no inner steps, one score
        self._set_band(*((EMPTY, EMPTY, EMPTY) if one_point else (steps, mean, ci)))
        bars = (steps, mean, 2 * ci) if one_point else (EMPTY, EMPTY, EMPTY)
        self.bars.setData(x=bars[0], y=bars[1], height=bars[2])
        self.rename(self.latest, f"iteration {last.iteration} ± 95% CI ({last.tasks} tasks{protocol})")
        if one_point:
            self.plot.setXRange(-1, 1, padding=0)

    def _set_band(self, steps: np.ndarray, mean: np.ndarray, ci: np.ndarray) -> None:
        self.upper.setData(steps, mean + ci)
        self.lower.setData(steps, mean - ci)
        if not len(steps):  # pyqtgraph keeps an emptied curve's old path, and the fill between with it
            self.band.setPath(pg.QtGui.QPainterPath())

    def _baseline(self, name: str) -> pg.PlotDataItem:
        if name not in self.baseline_curves:
            color, style, symbol = BASELINE_STYLES.get(name, OTHER_BASELINE)
            self.baseline_curves[name] = self.curve(
                f"{name} baseline", color, style, symbol=symbol, symbolSize=6, symbolBrush=color
            )
        return self.baseline_curves[name]

    def _label_steps(self, evaluation: Evaluation, baseline_steps: set[int]) -> None:
        steps = sorted({*evaluation.steps, *baseline_steps})
        if len(steps) == 1:
            ticks = [[(float(steps[0]), f"{steps[0]} (no inner steps)")]]
        else:
            ticks = [[(float(s), str(s)) for s in steps]] if len(steps) <= MAX_LABELLED_STEPS else None
        self.plot.getAxis("bottom").setTicks(ticks)

    def clear(self) -> None:
        for item in (self.first, self.latest):
            item.setData(EMPTY, EMPTY)
        self._set_band(EMPTY, EMPTY, EMPTY)
        self.bars.setData(x=EMPTY, y=EMPTY, height=EMPTY)
        for curve in self.baseline_curves.values():
            self.plot.removeItem(curve)
        self.baseline_curves = {}
        self.rename(self.first, "first evaluation")
        self.rename(self.latest, "latest evaluation ± 95% CI")
        self.show_accuracy.hide()
        self._seen, self._data = (0, 0), None
        self.plot.enableAutoRange()
